using System.Threading.Channels;
using Scaler.IO.Addressing;
using Scaler.Protocol.Messages;
using Scaler.Worker.Execution;

namespace Scaler.Worker.Tests.Support;

/// <summary>An execution backend the test drives by hand: one slot, completions on demand.</summary>
internal sealed class StubBackend : ITaskExecutionBackend
{
    private readonly Lock _gate = new();
    private TaskMessage? _running;
    private ITaskCompletionSink? _sink;

    public Channel<TaskMessage> Submitted { get; } = Channel.CreateUnbounded<TaskMessage>();

    public ScalerAddress? StartedWith { get; private set; }

    public int Concurrency => 1;

    /// <summary>What <see cref="CancelsRunningTasks"/> answers (a Symphony-like backend says false).</summary>
    public bool CancelsRunning { get; set; } = true;

    /// <summary>When true, <see cref="CancelAsync"/> says it could not stop the task.</summary>
    public bool RefuseCancel { get; set; }

    public bool CancelsRunningTasks => CancelsRunning;

    public bool CanAccept
    {
        get
        {
            lock (_gate)
            {
                return _sink is not null && _running is null;
            }
        }
    }

    public ValueTask StartAsync(ScalerAddress objectStorageAddress, ITaskCompletionSink sink, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            StartedWith = objectStorageAddress;
            _sink = sink;
        }

        sink.CapacityAvailable();
        return ValueTask.CompletedTask;
    }

    public ValueTask SubmitAsync(TaskMessage task, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Assert.Null(_running);
            _running = task;
        }

        Submitted.Writer.TryWrite(task);
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> CancelAsync(ReadOnlyMemory<byte> taskId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (RefuseCancel || _running is null || !_running.TaskId.AsSpan().SequenceEqual(taskId.Span))
            {
                return ValueTask.FromResult(false);
            }

            _running = null;
            return ValueTask.FromResult(true);
        }
    }

    /// <summary>Ends the running task with <paramref name="payload"/> for the agent to store.</summary>
    public void Complete(TaskResultType type, byte[] payload)
    {
        TaskMessage task;
        ITaskCompletionSink sink;
        lock (_gate)
        {
            task = _running ?? throw new InvalidOperationException("nothing is running");
            sink = _sink!;
            _running = null;
        }

        sink.TaskCompleted(TaskCompletion.WithPayload(task.TaskId, type, payload));
        sink.CapacityAvailable();
    }

    /// <summary>Ends the running task as a backend whose processor died under it does.</summary>
    public void FailAsProcessorDied(string message)
    {
        TaskMessage task;
        ITaskCompletionSink sink;
        lock (_gate)
        {
            task = _running ?? throw new InvalidOperationException("nothing is running");
            sink = _sink!;
            _running = null;
        }

        sink.TaskCompleted(TaskCompletion.FailedByWorker(task.TaskId, new WorkerFailure(WorkerFailureKind.ProcessorDied, message)));
        sink.CapacityAvailable();
    }

    /// <summary>The task running now, if any.</summary>
    public TaskMessage? Running
    {
        get
        {
            lock (_gate)
            {
                return _running;
            }
        }
    }

    public IReadOnlyList<ProcessorStatus> GetProcessorStatuses() => [];

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
