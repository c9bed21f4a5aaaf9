using Microsoft.Extensions.Logging.Abstractions;
using Scaler.Cli.Commands;
using Scaler.Cli.Launch;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;

namespace Scaler.Cli.Tests.Launch;

/// <summary>The launcher's children are this same executable: start the real <c>scaler-cli</c> the way the launcher does.</summary>
public sealed class RealChildProcessTests
{
    [Fact]
    public async Task RealScalerCliChild_OutputIsPrefixedAndItsFailureIsReported()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // A monitor that never publishes: the real top child gives up after its timeout with exit code 1.
        await using var monitor = await YmqBinder.BindAsync(
            ScalerAddress.Parse("tcp://127.0.0.1:0"), new YmqOptions { Identity = "silent-monitor" }, NullLogger.Instance, bound.Token);
        var self = SelfCommand.ForAssembly("dotnet", typeof(LaunchCommand).Assembly.Location);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var supervisor = new StackSupervisor(new OsChildProcessFactory(self), new PrefixedConsole(output, error), TimeSpan.FromSeconds(5), TimeProvider.System);

        var result = await supervisor.RunAsync(
            [new ChildSpec("top", [TopCommand.Name, monitor.LocalAddress.ToString(), "--timeout", "0.5"])], bound.Token, CancellationToken.None);

        Assert.False(bound.IsCancellationRequested);
        Assert.Equal(new SupervisionResult(SupervisionOutcome.ChildExited, "top", 1), result);
        Assert.Contains(
            error.ToString().Split(Environment.NewLine),
            line => line.StartsWith("[top] ", StringComparison.Ordinal) && line.Contains("no monitor messages from " + monitor.LocalAddress, StringComparison.Ordinal));
    }
}
