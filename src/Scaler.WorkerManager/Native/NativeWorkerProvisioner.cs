using Microsoft.Extensions.Logging;
using Scaler.Protocol.Messages;
using Scaler.Worker;
using Scaler.Worker.Hosting;
using Scaler.WorkerManager.Common;

namespace Scaler.WorkerManager.Native;

/// <summary>
/// Workers as local processes (<c>scaler-cli worker ...</c>). Dynamic mode follows the scheduler's desired concurrency
/// (one worker per task slot, growth capped by max task concurrency); fixed mode starts a set number at once.
/// </summary>
public sealed partial class NativeWorkerProvisioner : IWorkerProvisioner
{
    private readonly Func<WorkerProcessSettings> _settingsForNewWorker;
    private readonly ProcessLauncher _launcher;
    private readonly IReadOnlyDictionary<string, long> _capabilities;
    private readonly int _maxWorkers;
    private readonly TimeSpan _stopGrace;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<WorkerProcessHandle> _workers = [];
    private bool _terminated;

    /// <param name="settingsForNewWorker">Settings of the next worker (called once per worker; give each a fresh name).</param>
    /// <param name="launcher">How to start <c>scaler-cli</c>.</param>
    /// <param name="capabilities">This manager's per-worker capabilities, matched against the scheduler's requests.</param>
    /// <param name="maxWorkers">Most workers at once; -1 for no limit.</param>
    /// <param name="stopGrace">How long a stopping worker may take to disconnect before it is killed.</param>
    public NativeWorkerProvisioner(
        Func<WorkerProcessSettings> settingsForNewWorker,
        ProcessLauncher launcher,
        IReadOnlyDictionary<string, long> capabilities,
        int maxWorkers,
        TimeSpan stopGrace,
        ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(settingsForNewWorker);
        ArgumentNullException.ThrowIfNull(launcher);
        ArgumentNullException.ThrowIfNull(capabilities);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _settingsForNewWorker = settingsForNewWorker;
        _launcher = launcher;
        _capabilities = capabilities;
        _maxWorkers = maxWorkers;
        _stopGrace = stopGrace;
        _logger = loggerFactory.CreateLogger<NativeWorkerProvisioner>();
    }

    /// <summary>Workers started and not yet seen to exit.</summary>
    public int ActiveWorkerCount
    {
        get
        {
            _gate.Wait();
            try
            {
                PruneExitedLocked();
                return _workers.Count;
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <summary>PIDs of the live workers (for tests and diagnostics).</summary>
    public IReadOnlyList<int> WorkerPids
    {
        get
        {
            _gate.Wait();
            try
            {
                PruneExitedLocked();
                return _workers.Select(w => w.Pid).ToList();
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    public Task SetDesiredTaskConcurrencyAsync(
        IReadOnlyList<WorkerManagerCommand.DesiredTaskConcurrencyRequest> requests, CancellationToken cancellationToken) =>
        SetDesiredWorkerCountAsync(DesiredConcurrency.ForCapabilities(requests, _capabilities), cancellationToken);

    /// <summary>Starts or stops workers until <paramref name="desired"/> run (growth capped by the maximum).</summary>
    public async Task SetDesiredWorkerCountAsync(long desired, CancellationToken cancellationToken)
    {
        List<WorkerProcessHandle> stopping = [];
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_terminated)
            {
                return;
            }

            PruneExitedLocked();
            var delta = DesiredConcurrency.Delta(desired, _workers.Count, _maxWorkers);
            if (delta != 0)
            {
                LogReconcile(_logger, desired, _workers.Count, delta);
            }

            for (var i = 0; i < delta; i++)
            {
                StartWorkerLocked();
            }

            if (delta < 0)
            {
                var count = (int)Math.Min(-delta, _workers.Count);
                stopping = _workers.GetRange(0, count);
                _workers.RemoveRange(0, count);
            }
        }
        finally
        {
            _gate.Release();
        }

        await StopAllAsync(stopping).ConfigureAwait(false);
    }

    /// <summary>Starts <paramref name="count"/> workers now (fixed mode).</summary>
    public async Task StartWorkersAsync(int count, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var i = 0; i < count; i++)
            {
                StartWorkerLocked();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Completes when every started worker has exited.</summary>
    public async Task WaitForAllExitedAsync(CancellationToken cancellationToken)
    {
        List<WorkerProcessHandle> workers;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            workers = [.. _workers];
        }
        finally
        {
            _gate.Release();
        }

        await Task.WhenAll(workers.Select(w => w.WaitForExitAsync(cancellationToken))).ConfigureAwait(false);
        foreach (var worker in workers)
        {
            LogWorkerExited(_logger, worker.Name, worker.ExitCode ?? -1);
        }
    }

    public async Task TerminateAsync(CancellationToken cancellationToken)
    {
        List<WorkerProcessHandle> stopping;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _terminated = true;
            stopping = [.. _workers];
            _workers.Clear();
        }
        finally
        {
            _gate.Release();
        }

        await StopAllAsync(stopping).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await TerminateAsync(CancellationToken.None).ConfigureAwait(false);
        _gate.Dispose();
    }

    private async Task StopAllAsync(List<WorkerProcessHandle> workers)
    {
        await Task.WhenAll(workers.Select(async w =>
        {
            await w.StopAsync(_stopGrace).ConfigureAwait(false);
            LogWorkerStopped(_logger, w.Name, w.ExitCode ?? -1);
            w.Dispose();
        })).ConfigureAwait(false);
    }

    private void StartWorkerLocked()
    {
        var settings = _settingsForNewWorker();
        var worker = WorkerProcessHandle.Start(_launcher.CreateStartInfo(settings.ToArguments()), settings.Name);
        _workers.Add(worker);
        LogWorkerStarted(_logger, settings.Name, worker.Pid);
    }

    /// <summary>
    /// Forgets workers that exited on their own (the reference keeps counting them), so the next command replaces them.
    /// </summary>
    private void PruneExitedLocked()
    {
        for (var i = _workers.Count - 1; i >= 0; i--)
        {
            var worker = _workers[i];
            if (worker.HasExited)
            {
                LogWorkerExited(_logger, worker.Name, worker.ExitCode ?? -1);
                worker.Dispose();
                _workers.RemoveAt(i);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "reconcile: desired={Desired}, current={Current}, delta={Delta}")]
    private static partial void LogReconcile(ILogger logger, long desired, int current, long delta);

    [LoggerMessage(Level = LogLevel.Information, Message = "started native worker {Name} (pid {Pid})")]
    private static partial void LogWorkerStarted(ILogger logger, string name, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopped native worker {Name} (exit code {ExitCode})")]
    private static partial void LogWorkerStopped(ILogger logger, string name, int exitCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "native worker {Name} exited (exit code {ExitCode})")]
    private static partial void LogWorkerExited(ILogger logger, string name, int exitCode);
}
