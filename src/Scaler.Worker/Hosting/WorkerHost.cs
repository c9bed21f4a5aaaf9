using Microsoft.Extensions.Logging;
using Scaler.Worker.Agent;
using Scaler.Worker.Processors;

namespace Scaler.Worker.Hosting;

/// <summary>Runs a native worker (agent + processor-process backend) in this process.</summary>
public static class WorkerHost
{
    /// <summary>
    /// Runs until the worker stops (see <see cref="WorkerAgent.RunAsync"/>); processors are started with
    /// <paramref name="launcher"/> (default: the running <c>scaler-cli</c>) and given <paramref name="pythonExecutable"/>
    /// (null: they use their default interpreter). Returns a <see cref="WorkerExitCodes"/> value.
    /// </summary>
    public static async Task<int> RunAsync(
        WorkerAgentOptions options,
        ILoggerFactory loggerFactory,
        CancellationToken shutdown,
        ProcessLauncher? launcher = null,
        string processorLogLevel = "Information",
        string? pythonExecutable = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var backend = new ProcessorProcessBackend(
            launcher ?? ProcessLauncher.ForCurrentProcess(), loggerFactory, processorLogLevel, options.TimeProvider, pythonExecutable)
        {
            Tls = options.Tls,
        };
        var agent = new WorkerAgent(options, backend, loggerFactory);
        await using (agent.ConfigureAwait(false))
        {
            return await agent.RunAsync(shutdown).ConfigureAwait(false);
        }
    }
}
