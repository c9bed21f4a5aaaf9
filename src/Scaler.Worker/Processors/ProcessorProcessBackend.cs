using Microsoft.Extensions.Logging;
using Scaler.Functions;
using Scaler.IO.Addressing;
using Scaler.ObjectStorage.Store;
using Scaler.Protocol.Messages;
using Scaler.Worker.Execution;
using Scaler.Worker.Hosting;

namespace Scaler.Worker.Processors;

/// <summary>
/// The native execution backend: one processor process (<c>scaler-cli processor</c>) at a time, as the reference's
/// worker. The processor fetches the task's objects, runs it, stores the result and reports the result object's ID.
/// A processor that dies mid-task fails that task (<c>Scaler.Worker.ProcessorDiedException</c>, as the reference's
/// <c>ProcessorDiedError</c>) and is replaced; cancel and timeout kill it and start a new one.
/// </summary>
public sealed partial class ProcessorProcessBackend : ITaskExecutionBackend
{
    /// <summary>The error type name of a task whose processor died.</summary>
    public const string ProcessorDiedErrorType = "Scaler.Worker.ProcessorDiedException";

    private readonly ProcessLauncher _launcher;
    private readonly string _logLevel;
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

    public ProcessorProcessBackend(ProcessLauncher launcher, ILoggerFactory loggerFactory, string logLevel = "Information", TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(launcher);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _launcher = launcher;
        _logLevel = logLevel;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = loggerFactory.CreateLogger<ProcessorProcessBackend>();
    }

    public int Concurrency => 1;

    public bool CanAccept
    {
        get
        {
            lock (_gate)
            {
                return _current is { Initialized: true, CurrentTask: null };
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

    /// <summary>
    /// Hints sent ahead: the processor fetches the objects of this many queued tasks while it runs one, which takes the
    /// argument round trip off the tiny-task path; bounded so that large arguments do not pile up in a processor.
    /// </summary>
    public int PrefetchDepth => 8;

    public ValueTask SubmitAsync(TaskMessage task, CancellationToken cancellationToken) => SubmitAsync(task, [], cancellationToken);

    public async ValueTask SubmitAsync(TaskMessage task, IReadOnlyList<TaskMessage> upcoming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(upcoming);
        ProcessorHandle handle;
        lock (_gate)
        {
            if (_current is not { Initialized: true, CurrentTask: null } current)
            {
                throw new InvalidOperationException("no idle processor: check CanAccept before submitting");
            }

            current.CurrentTask = task;
            handle = current;
        }

        var frames = new List<PipeFrame>(1 + upcoming.Count) { new(PipeFrameKind.Message, task) };
        frames.AddRange(upcoming.Select(next => new PipeFrame(PipeFrameKind.PrefetchHint, next)));
        try
        {
            await handle.SendAsync(frames, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // The processor is dying; its exit fails the task.
            LogSendFailed(_logger, handle.Pid, e.Message);
        }
    }

    public async ValueTask HintAsync(IReadOnlyList<TaskMessage> upcoming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upcoming);
        ProcessorHandle? handle;
        lock (_gate)
        {
            handle = _current is { Initialized: true } current ? current : null;
        }

        if (handle is null || upcoming.Count == 0)
        {
            // No processor to tell: the tasks are fetched when they run.
            return;
        }

        try
        {
            await handle.SendAsync([.. upcoming.Select(next => new PipeFrame(PipeFrameKind.PrefetchHint, next))], cancellationToken)
                .ConfigureAwait(false);
        }
        catch (IOException e)
        {
            LogSendFailed(_logger, handle.Pid, e.Message);
        }
    }

    public ValueTask<bool> CancelAsync(ReadOnlyMemory<byte> taskId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_current?.CurrentTask is not { } task || !task.TaskId.AsSpan().SequenceEqual(taskId.Span))
            {
                return ValueTask.FromResult(false);
            }

            var killed = _current;
            LogKilling(_logger, killed.Pid, "task canceled or timed out");
            killed.Retire();
            StartProcessorLocked();
            return ValueTask.FromResult(true);
        }
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

        var startInfo = _launcher.CreateStartInfo(ProcessorArguments.Build(_storageAddress.ToString(), _logLevel));
        try
        {
            _current = ProcessorHandle.Start(startInfo, _timeProvider, OnMessage, OnExit);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            _current = null;
            _failedStarts++;
            LogStartFailed(_logger, startInfo.FileName, e.Message);
            _ = RestartLaterAsync(TimeSpan.FromSeconds(Math.Min(10, _failedStarts)));
            return;
        }

        LogStarted(_logger, _current.Pid);
    }

    private void OnMessage(ProcessorHandle handle, IMessage message)
    {
        TaskCompletion? completion = null;
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
                case TaskResult result when handle.CurrentTask is { } task && task.TaskId.AsSpan().SequenceEqual(result.TaskId):
                    handle.CurrentTask = null;
                    completion = result.Results.Count == 1 && result.Results[0].Length == ObjectId.ByteLength
                        ? TaskCompletion.Stored(task.TaskId, result.ResultType, ObjectId.FromBytes(result.Results[0]), result.Metadata)
                        : Failure(task, "the processor reported a result without a result object");
                    capacity = handle == _current;
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
            handle.Dispose();
        }
    }

    private void ReportExit(ProcessorHandle handle, int exitCode, string? problem)
    {
        TaskCompletion? completion = null;
        ITaskCompletionSink? sink;
        lock (_gate)
        {
            sink = _sink;
            if (handle.Retired || _disposed)
            {
                return;
            }

            LogDied(_logger, handle.Pid, exitCode, problem ?? "channel closed");
            if (handle.CurrentTask is { } task)
            {
                completion = Failure(task, $"the processor running this task died (exit code {exitCode})");
                handle.CurrentTask = null;
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
                    _failedStarts++;
                    var delay = TimeSpan.FromMilliseconds(Math.Min(10_000, 250 * Math.Pow(2, Math.Min(_failedStarts - 1, 10))));
                    LogRestartDelayed(_logger, _failedStarts, delay.TotalSeconds);
                    _ = RestartLaterAsync(delay);
                }
            }
        }

        if (completion is not null)
        {
            sink?.TaskCompleted(completion);
        }
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

    private static TaskCompletion Failure(TaskMessage task, string message) =>
        TaskCompletion.WithPayload(task.TaskId, TaskResultType.Failed, new RemoteError(ProcessorDiedErrorType, message, string.Empty).ToBytes());

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} processor(s) in a row died before they were ready; next start in {Seconds} s")]
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
