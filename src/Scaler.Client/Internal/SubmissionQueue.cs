using System.Threading.Channels;
using Scaler.Functions;

namespace Scaler.Internal;

/// <summary>
/// The queue between the public API, called from any thread, and the send loop. Building a submission, registering its
/// futures and queueing it happen under one lock, so submissions are queued in the order their objects were planned
/// (one that reuses an object is never sent before the one that stores it), and a submission either is registered
/// before the client closes (and is failed by the close) or sees the client closed and throws.
/// </summary>
/// <remarks>
/// Unbounded on purpose; full policy: none, a submission never waits and is never dropped. <c>Submit</c> and <c>Map</c>
/// are synchronous and return at once, so a bound could only block the caller's thread (a UI thread, or a pool thread
/// per waiting caller) until the send loop catches up, and an awaiting submit would change the public API. What
/// bounds it: every entry is a task whose future the caller holds (the pending table holds the same), built from the
/// caller's own arguments, and the send loop drains it in batches at the pace the connector takes frames (its send
/// queue is bounded in bytes, SendQueueMaxBytes). docs/transport.md lists every queue's policy.
/// </remarks>
internal sealed class SubmissionQueue
{
    private readonly Lock _lock = new();
    private readonly Channel<Outgoing> _channel = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SubmissionBuilder _builder;
    private readonly PendingTasks _pending;
    private readonly Func<bool> _isClosing;
    private volatile Exception? _closedError;

    /// <param name="builder">Builds the submissions (only ever called under this queue's lock).</param>
    /// <param name="pending">Where the futures of queued tasks are registered.</param>
    /// <param name="isClosing">True once the client is disposed or leaving: submitting is then a use after dispose.</param>
    public SubmissionQueue(SubmissionBuilder builder, PendingTasks pending, Func<bool> isClosing)
    {
        _builder = builder;
        _pending = pending;
        _isClosing = isClosing;
    }

    public ChannelReader<Outgoing> Reader => _channel.Reader;

    /// <summary>Why the client closed; null while it is open.</summary>
    public Exception? ClosedError => _closedError;

    public void ThrowIfClosed()
    {
        ObjectDisposedException.ThrowIf(_isClosing(), typeof(Client));
        if (_closedError is { } error)
        {
            throw new ScalerClientException($"the client cannot submit tasks any more: {error.Message}", error);
        }
    }

    /// <summary>Queues one task, whose future is <paramref name="future"/>.</summary>
    public void EnqueueTask(IPendingTask future, string functionName, PackagedCall call, TaskSettings settings)
    {
        lock (_lock)
        {
            ThrowIfClosed();
            var submission = _builder.BuildTask(future.TaskId, future.Function, functionName, call, settings);
            _pending.Add(future);
            _channel.Writer.TryWrite(submission);
        }
    }

    /// <summary>Queues the graph of <paramref name="umbrella"/>, whose requested calls have the futures <paramref name="targets"/>.</summary>
    public void EnqueueGraph(
        GraphUmbrella umbrella, IReadOnlyCollection<IPendingTask> targets, GraphPlan plan, IReadOnlyDictionary<string, byte[]> taskIds, TaskSettings settings)
    {
        lock (_lock)
        {
            ThrowIfClosed();
            var submission = _builder.BuildGraph(umbrella.TaskId, plan, taskIds, targets.Select(f => f.TaskId).ToArray(), settings);
            _pending.Add(umbrella);
            foreach (var future in targets)
            {
                _pending.Add(future);
            }

            _channel.Writer.TryWrite(submission);
        }
    }

    /// <summary>Queues a cancel behind the task's submission, so it never reaches the scheduler first; nothing when the task is done.</summary>
    public void EnqueueCancel(byte[] taskId)
    {
        if (_pending.Contains(taskId))
        {
            _channel.Writer.TryWrite(new CancelRequest(taskId));
        }
    }

    /// <summary>Forgets the objects of submissions whose stores failed, so a later submission stores them again.</summary>
    public void Forget(IReadOnlyList<Submission> failed)
    {
        lock (_lock)
        {
            _builder.Forget(failed);
        }
    }

    /// <summary>Ends the queue (the client leaves): the send loop sends what is queued, and nothing more is taken.</summary>
    public void CompleteWriting() => _channel.Writer.TryComplete();

    /// <summary>
    /// Closes the client with <paramref name="reason"/>: later submissions throw, and the send loop stops once it has
    /// what was queued. False when it was closed already (the first reason stays).
    /// </summary>
    public bool TryClose(Exception reason)
    {
        if (_closedError is not null)
        {
            return false;
        }

        lock (_lock)
        {
            if (_closedError is not null)
            {
                return false;
            }

            _closedError = reason;
            _channel.Writer.TryComplete();
            return true;
        }
    }
}
