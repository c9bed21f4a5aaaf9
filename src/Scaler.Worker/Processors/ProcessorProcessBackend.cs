using Microsoft.Extensions.Logging;
using Scaler.Functions;
using Scaler.IO.Addressing;
using Scaler.Identity;
using Scaler.Protocol.Messages;
using Scaler.Worker.Agent;
using Scaler.Worker.Execution;
using Scaler.Worker.Hosting;

namespace Scaler.Worker.Processors;

/// <summary>
/// The native execution backend: one processor process (<c>scaler-cli processor</c>) at a time, as the reference's
/// worker. The processor fetches the task's objects, runs it, stores the result and reports the result object's ID.
/// Up to <see cref="TasksPerProcessor"/> tasks are sent ahead of the running one, so the processor goes on without
/// waiting for the worker, and fetches their objects while the current one runs.
/// A processor that dies mid-task reports that task as failed by a dead processor
/// (<see cref="WorkerFailureKind.ProcessorDied"/>; the agent runs it again up to its retry limit, then fails it with
/// <c>Scaler.Worker.ProcessorDiedException</c>, as the reference's <c>ProcessorDiedError</c>) and is replaced; cancel
/// and timeout kill it and start a new one. A task waiting in a processor never fails with it: it is given back to the
/// agent unstarted, or canceled by a message the processor answers.
/// </summary>
public sealed partial class ProcessorProcessBackend : ITaskExecutionBackend
{
    /// <summary>The error type name of a task whose processor died.</summary>
    public const string ProcessorDiedErrorType = WorkerFailure.ProcessorDiedTypeName;

    private readonly ProcessLauncher _launcher;
    private readonly string _logLevel;
    private readonly string? _pythonExecutable;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private ProcessorHandle? _current;
    private ScalerAddress? _storageAddress;
    private readonly CancellationTokenSource _disposing = new();
    private ITaskCompletionSink? _sink;
    private bool _disposed;

    /// <summary>Processors in a row that died before they were ready (e.g. the storage is unreachable).</summary>
    private int _failedStarts;

    /// <param name="pythonExecutable">the processors' Python interpreter (<c>--python-executable</c>); null: their default</param>
    public ProcessorProcessBackend(
        ProcessLauncher launcher, ILoggerFactory loggerFactory, string logLevel = "Information", TimeProvider? timeProvider = null, string? pythonExecutable = null)
    {
        ArgumentNullException.ThrowIfNull(launcher);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _launcher = launcher;
        _logLevel = logLevel;
        _pythonExecutable = pythonExecutable;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = loggerFactory.CreateLogger<ProcessorProcessBackend>();
    }

    public int Concurrency => 1;

    /// <summary>The worker's TLS files, given to every processor it starts (they connect to object storage).</summary>
    public IO.Tls.TlsSettings Tls { get; init; } = IO.Tls.TlsSettings.None;

    /// <summary>
    /// Tasks a processor holds at most: the one it runs and those sent ahead. With several waiting, the processor reads
    /// them, and the worker its results, several frames per wake-up, and every process downstream sees frames in bursts,
    /// which cuts the CPU per tiny task in the workers, the scheduler and object storage without making longer tasks
    /// wait (the figures per setting: docs/performance.md). Tasks waiting in a processor can still be canceled
    /// without force, and their prefetched arguments are bounded (TaskObjectPrefetcher).
    /// </summary>
    internal const int TasksPerProcessor = 64;

    /// <summary>How long a processor may take to answer a cancel of a waiting task before it is killed.</summary>
    private static readonly TimeSpan CancelAnswerBound = TimeSpan.FromSeconds(5);

    public bool CanAccept
    {
        get
        {
            lock (_gate)
            {
                return _current is { Initialized: true } current && current.Assigned.Count < TasksPerProcessor;
            }
        }
    }

    /// <summary>The PID of the current processor, or null (for tests and diagnostics).</summary>
    public int? CurrentProcessorPid
    {
        get
        {
            lock (_gate)
            {
                return _current?.Pid;
            }
        }
    }

    public ValueTask StartAsync(ScalerAddress objectStorageAddress, ITaskCompletionSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectStorageAddress);
        ArgumentNullException.ThrowIfNull(sink);
        lock (_gate)
        {
            _storageAddress = objectStorageAddress;
            _sink = sink;
            StartProcessorLocked();
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask SubmitAsync(TaskMessage task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ProcessorHandle handle;
        lock (_gate)
        {
            if (_current is not { Initialized: true } current || current.Assigned.Count >= TasksPerProcessor)
            {
                throw new InvalidOperationException("no free processor slot: check CanAccept before submitting");
            }

            current.Assigned.Add(task);
            handle = current;
        }

        try
        {
            await handle.SendAsync(task, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // The processor is dying; its exit fails the running task and gives the waiting ones back.
            LogSendFailed(_logger, handle.Pid, e.Message);
        }
    }

    public async ValueTask<bool> CancelAsync(ReadOnlyMemory<byte> taskId, CancellationToken cancellationToken)
    {
        if (await CancelIfNotStartedAsync(taskId, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        lock (_gate)
        {
            if (_current is not { } current || IndexOf(current, taskId.Span) is var index && index < 0)
            {
                return false;
            }

            // It runs (or its processor did not answer in time): kill the processor, the only way to stop user code.
            // Then the task it ran, when that is not the one canceled, ends as if the processor had died.
            var head = current.Assigned[0];
            KillCurrentLocked("task canceled or timed out");
            if (index > 0)
            {
                _sink?.TaskCompleted(Failure(head, "the processor running this task stopped answering and was killed"));
            }

            return true;
        }
    }

    public async ValueTask<bool> CancelIfNotStartedAsync(ReadOnlyMemory<byte> taskId, CancellationToken cancellationToken)
    {
        var key = new TaskId(taskId.Span);
        ProcessorHandle handle;
        TaskCompletionSource<bool> answer;
        lock (_gate)
        {
            if (_current is not { } current || IndexOf(current, taskId.Span) < 1)
            {
                return false;
            }

            // It waits behind the running task: ask the processor to drop it, which it does unless it has just started.
            handle = current;
            answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            handle.PendingCancels[key] = answer;
        }

        bool dropped;
        try
        {
            await handle.SendAsync(new TaskCancel { TaskId = taskId.ToArray() }, cancellationToken).ConfigureAwait(false);
            dropped = await answer.Task.WaitAsync(CancelAnswerBound, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or TimeoutException)
        {
            LogSendFailed(_logger, handle.Pid, e.Message);
            dropped = false;
        }

        lock (_gate)
        {
            handle.PendingCancels.Remove(key);
            var index = IndexOf(handle, taskId.Span);
            if (!dropped || index < 0)
            {
                return false;
            }

            // The agent dispatches again after every cancel, so the freed slot needs no separate signal.
            handle.Assigned.RemoveAt(index);
            return true;
        }
    }

    private static int IndexOf(ProcessorHandle handle, ReadOnlySpan<byte> taskId)
    {
        for (var i = 0; i < handle.Assigned.Count; i++)
        {
            if (handle.Assigned[i].TaskId.AsSpan().SequenceEqual(taskId))
            {
                return i;
            }
        }

        return -1;
    }

    public IReadOnlyList<ProcessorStatus> GetProcessorStatuses()
    {
        lock (_gate)
        {
            return _current is null ? [] : [_current.Status()];
        }
    }

    public async ValueTask DisposeAsync()
    {
        ProcessorHandle? last;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            last = _current;
            _current = null;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);

        if (last is not null)
        {
            last.Retire();
            await last.ReadLoop.ConfigureAwait(false);
        }

        _disposing.Dispose();
    }

    private void StartProcessorLocked()
    {
        if (_disposed || _storageAddress is null)
        {
            _current = null;
            return;
        }

        var startInfo = _launcher.CreateStartInfo(ProcessorArguments.Build(_storageAddress.ToString(), _logLevel, _pythonExecutable, Tls));
        try
        {
            _current = ProcessorHandle.Start(startInfo, _timeProvider, OnMessage, OnExit);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            _current = null;
            LogStartFailed(_logger, startInfo.FileName, e.Message);
            RestartLaterLocked();
            return;
        }

        LogStarted(_logger, _current.Pid);
    }

    /// <summary>
    /// Kills the current processor on purpose (its running task is canceled or timed out) and starts another; the task
    /// waiting in it never started and is given back to the agent.
    /// </summary>
    private void KillCurrentLocked(string reason)
    {
        var killed = _current!;
        LogKilling(_logger, killed.Pid, reason);
        var waiting = killed.Assigned.Skip(1).ToList();
        killed.Assigned.Clear();
        killed.Retire();
        StartProcessorLocked();
        var sink = _sink;
        if (sink is not null && waiting.Count > 0)
        {
            foreach (var task in waiting)
            {
                sink.TaskReturned(task);
            }
        }
    }

    private void OnMessage(ProcessorHandle handle, IMessage message)
    {
        TaskCompletion? completion = null;
        byte[]? started = null;
        var capacity = false;
        ITaskCompletionSink? sink;
        lock (_gate)
        {
            sink = _sink;
            switch (message)
            {
                case ProcessorInitialized:
                    handle.Initialized = true;
                    _failedStarts = 0;
                    capacity = handle == _current;
                    break;
                case TaskResult result when IndexOf(handle, result.TaskId) is var index && index >= 0:
                    var task = handle.Assigned[index];
                    handle.Assigned.RemoveAt(index);
                    completion = result.Results.Count == 1 && result.Results[0].Length == ObjectId.ByteLength
                        ? TaskCompletion.Stored(task.TaskId, result.ResultType, ObjectId.FromBytes(result.Results[0]), result.Metadata)
                        : Failure(task, "the processor reported a result without a result object");
                    started = handle.Assigned.Count > 0 ? handle.Assigned[0].TaskId : null;
                    capacity = handle == _current;
                    break;
                case TaskCancelConfirm confirm when handle.PendingCancels.TryGetValue(new TaskId(confirm.TaskId), out var answer):
                    answer.TrySetResult(confirm.CancelConfirmType == TaskCancelConfirmType.Canceled);
                    break;
                default:
                    LogUnexpected(_logger, handle.Pid, message.Kind.ToString());
                    break;
            }
        }

        if (completion is not null)
        {
            sink?.TaskCompleted(completion);
        }

        if (started is not null)
        {
            sink?.TaskStarted(started);
        }

        if (capacity)
        {
            sink?.CapacityAvailable();
        }
    }

    private void OnExit(ProcessorHandle handle, int exitCode, string? problem)
    {
        try
        {
            ReportExit(handle, exitCode, problem);
        }
        finally
        {
            foreach (var answer in handle.PendingCancels.Values)
            {
                answer.TrySetResult(false);
            }

            handle.Dispose();
        }
    }

    private void ReportExit(ProcessorHandle handle, int exitCode, string? problem)
    {
        TaskCompletion? completion = null;
        List<TaskMessage> waiting = [];
        ITaskCompletionSink? sink;
        lock (_gate)
        {
            sink = _sink;
            if (handle.Retired || _disposed)
            {
                return;
            }

            LogDied(_logger, handle.Pid, exitCode, problem ?? "channel closed");
            if (handle.Assigned.Count > 0)
            {
                completion = Failure(handle.Assigned[0], $"the processor running this task died (exit code {exitCode})");
                waiting = handle.Assigned.Skip(1).ToList();
                handle.Assigned.Clear();
            }

            if (handle == _current)
            {
                if (handle.Initialized)
                {
                    StartProcessorLocked();
                }
                else
                {
                    // It never got ready: back off instead of spinning on a processor that cannot start.
                    _current = null;
                    RestartLaterLocked();
                }
            }
        }

        if (completion is not null)
        {
            sink?.TaskCompleted(completion);
        }

        foreach (var task in waiting)
        {
            sink?.TaskReturned(task);
        }
    }

    /// <summary>
    /// One more processor failed to start or to get ready: the next start waits 0.25 s, doubling to 10 s for each
    /// failure in a row (the curve of <see cref="ReconnectBackoff"/>), so a processor that cannot start is not spun on.
    /// </summary>
    private void RestartLaterLocked()
    {
        _failedStarts++;
        var delay = ReconnectBackoff.After(_failedStarts);
        LogRestartDelayed(_logger, _failedStarts, delay.TotalSeconds);
        _ = RestartLaterAsync(delay);
    }

    private async Task RestartLaterAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _timeProvider, _disposing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_gate)
        {
            if (!_disposed && _current is null)
            {
                StartProcessorLocked();
            }
        }
    }

    /// <summary>The task ends as if its processor had died; the agent writes the error in the format of the task's client.</summary>
    private static TaskCompletion Failure(TaskMessage task, string message) =>
        TaskCompletion.FailedByWorker(task.TaskId, new WorkerFailure(WorkerFailureKind.ProcessorDied, message));

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} processor(s) in a row failed to start or died before they were ready; next start in {Seconds} s")]
    private static partial void LogRestartDelayed(ILogger logger, int count, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "could not start a processor with {FileName}: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string fileName, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "started processor {Pid}")]
    private static partial void LogStarted(ILogger logger, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "killing processor {Pid}: {Reason}")]
    private static partial void LogKilling(ILogger logger, int pid, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "processor {Pid} died (exit code {ExitCode}): {Problem}")]
    private static partial void LogDied(ILogger logger, int pid, int exitCode, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not send a task to processor {Pid}: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, int pid, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "processor {Pid} sent an unexpected {Kind}")]
    private static partial void LogUnexpected(ILogger logger, int pid, string kind);
}
