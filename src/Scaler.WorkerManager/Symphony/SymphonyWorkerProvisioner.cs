using Microsoft.Extensions.Logging;
using Scaler.Protocol.Messages;
using Scaler.Symphony.Soam;
using Scaler.Worker;
using Scaler.Worker.Agent;
using Scaler.WorkerManager.Common;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// Follows the scheduler's desired concurrency with ONE in-process Symphony worker (a <see cref="WorkerAgent"/> over a
/// <see cref="SymphonyExecutionBackend"/> whose concurrency is the manager's max-task-concurrency): started when the
/// scheduler wants any task slots, stopped (disconnect, then the SOAM session is closed) when it wants none. A worker
/// that ended on its own is started again by the next command that wants slots.
/// </summary>
public sealed partial class SymphonyWorkerProvisioner : IWorkerProvisioner
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Func<string, WorkerAgentOptions> _agentOptions;
    private readonly Func<string, SymphonyExecutionBackend> _createBackend;
    private readonly IReadOnlyDictionary<string, long> _capabilities;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private RunningWorker? _worker;
    private bool _terminated;

    /// <param name="agentOptions">The agent's options for a worker identity.</param>
    /// <param name="createBackend">A new backend for a worker identity.</param>
    public SymphonyWorkerProvisioner(
        Func<string, WorkerAgentOptions> agentOptions,
        Func<string, SymphonyExecutionBackend> createBackend,
        IReadOnlyDictionary<string, long> capabilities,
        ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(agentOptions);
        ArgumentNullException.ThrowIfNull(createBackend);
        ArgumentNullException.ThrowIfNull(capabilities);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _agentOptions = agentOptions;
        _createBackend = createBackend;
        _capabilities = capabilities;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<SymphonyWorkerProvisioner>();
    }

    /// <summary>The running worker's backend (for instrumentation), or null.</summary>
    public SymphonyExecutionBackend? CurrentBackend => Volatile.Read(ref _worker)?.Backend;

    /// <summary>The running worker's identity, or null.</summary>
    public string? CurrentWorkerIdentity => Volatile.Read(ref _worker)?.Identity;

    public Task SetDesiredTaskConcurrencyAsync(
        IReadOnlyList<WorkerManagerCommand.DesiredTaskConcurrencyRequest> requests, CancellationToken cancellationToken) =>
        SetDesiredAsync(DesiredConcurrency.ForCapabilities(requests, _capabilities), cancellationToken);

    /// <summary>Any positive count runs the one worker; zero stops it.</summary>
    public async Task SetDesiredAsync(long desired, CancellationToken cancellationToken)
    {
        RunningWorker? stopping = null;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_terminated)
            {
                return;
            }

            if (_worker is { Run.IsCompleted: true } ended)
            {
                LogWorkerEnded(_logger, ended.Identity);
                _worker = null;
            }

            if (desired > 0 && _worker is null)
            {
                _worker = StartWorker();
            }
            else if (desired <= 0 && _worker is not null)
            {
                stopping = _worker;
                _worker = null;
            }
        }
        finally
        {
            _gate.Release();
        }

        if (stopping is not null)
        {
            await StopAsync(stopping).ConfigureAwait(false);
        }
    }

    public async Task TerminateAsync(CancellationToken cancellationToken)
    {
        RunningWorker? stopping;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _terminated = true;
            stopping = _worker;
            _worker = null;
        }
        finally
        {
            _gate.Release();
        }

        if (stopping is not null)
        {
            await StopAsync(stopping).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await TerminateAsync(CancellationToken.None).ConfigureAwait(false);
        _gate.Dispose();
    }

    private RunningWorker StartWorker()
    {
        var identity = WorkerIdentity.Generate(WorkerIdentity.NewWorkerName("SYM"));
        var backend = _createBackend(identity);
        var agent = new WorkerAgent(_agentOptions(identity), backend, _loggerFactory);
        var shutdown = new CancellationTokenSource();
        var run = Task.Run(() => agent.RunAsync(shutdown.Token));
        LogWorkerStarted(_logger, identity);
        return new RunningWorker(identity, agent, backend, shutdown, run);
    }

    private async Task StopAsync(RunningWorker worker)
    {
        await worker.Shutdown.CancelAsync().ConfigureAwait(false);
        try
        {
            await worker.Run.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogStopSlow(_logger, worker.Identity);
        }

        await worker.Agent.DisposeAsync().ConfigureAwait(false);
        worker.Shutdown.Dispose();
        LogWorkerStopped(_logger, worker.Identity);
    }

    private sealed record RunningWorker(
        string Identity, WorkerAgent Agent, SymphonyExecutionBackend Backend, CancellationTokenSource Shutdown, Task<int> Run);

    [LoggerMessage(Level = LogLevel.Information, Message = "started Symphony worker {Identity}")]
    private static partial void LogWorkerStarted(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopped Symphony worker {Identity}")]
    private static partial void LogWorkerStopped(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Symphony worker {Identity} ended on its own; starting a new one when the scheduler asks")]
    private static partial void LogWorkerEnded(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Symphony worker {Identity} did not stop within 30 s")]
    private static partial void LogStopSlow(ILogger logger, string identity);
}
