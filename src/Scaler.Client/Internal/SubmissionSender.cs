using System.Threading.Channels;
using Scaler.IO.Threading;
using Scaler.Protocol.Messages;

namespace Scaler.Internal;

/// <summary>
/// The send loop: takes what the public API queued (submissions and cancels) in batches, stores each batch's objects
/// while it announces them (<c>ObjectInstruction</c>) and sends its tasks and cancels in queue order, each task just
/// after its early get (<see cref="EarlyResultGets"/>).
/// </summary>
internal sealed class SubmissionSender
{
    private const int MaxBatch = 4096;

    private readonly ISchedulerLink _scheduler;
    private readonly ClientIdentity _identity;
    private readonly ObjectUploader _uploader;
    private readonly EarlyResultGets _early;
    private readonly PendingTasks _pending;

    public SubmissionSender(ISchedulerLink scheduler, ClientIdentity identity, ObjectUploader uploader, EarlyResultGets early, PendingTasks pending)
    {
        _scheduler = scheduler;
        _identity = identity;
        _uploader = uploader;
        _early = early;
        _pending = pending;
    }

    /// <summary>
    /// Sends what <paramref name="queue"/> yields until it completes or <paramref name="token"/> is canceled; a failed
    /// send calls <paramref name="onSchedulerLost"/> and ends the loop.
    /// </summary>
    [TurnChain]
    public async Task RunAsync(ChannelReader<Outgoing> queue, Action<string, Exception> onSchedulerLost, CancellationToken token)
    {
        // Under the turn context (which only ever runs it on the pool or in one of its turns, never on a user's
        // context): the frames a batch causes (object sets, the task, its early get) are written from this thread when
        // the batch's synchronous part ends, and the early gets' answers come back in the turn that reads them.
        await TurnContext.SwitchTo();
        var batch = new List<Outgoing>();
        try
        {
            while (await queue.WaitToReadAsync(token).ConfigureAwait(true))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && queue.TryRead(out var item))
                {
                    batch.Add(item);
                }

                await SendBatchAsync(batch, token).ConfigureAwait(true);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Disconnecting or closed.
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            onSchedulerLost(e.Message, e);
        }
    }

    public async Task SendBatchAsync(List<Outgoing> batch, CancellationToken token)
    {
        // The objects are stored and the tasks sent at the same time: a worker that asks for an object before its set
        // has landed waits for it in object storage, so a task never needs its objects' acknowledgement to be sent, and
        // one object-storage round trip comes off every submission's latency. If a store fails, the batch's tasks are
        // failed by the uploader and canceled here (a worker waiting for the missing object is stopped by the cancel).
        var submissions = batch.OfType<Submission>().ToList();
        var stored = submissions.Count > 0 ? _uploader.StoreAsync(submissions, token) : Task.FromResult(true);
        var created = submissions.SelectMany(s => s.Uploads).ToList();
        if (created.Count > 0)
        {
            await _scheduler.SendAsync(
                new ObjectInstruction
                {
                    InstructionType = ObjectInstructionType.Create,
                    ObjectUser = _identity.Bytes,
                    ObjectMetadata = new ObjectMetadata
                    {
                        ObjectIds = created.Select(u => u.Id.ToBytes()).ToArray(),
                        ObjectTypes = created.Select(_ => ObjectContentType.Object).ToArray(),
                        ObjectNames = created.Select(u => u.Name).ToArray(),
                    },
                },
                token).ConfigureAwait(false);
        }

        foreach (var item in batch)
        {
            switch (item)
            {
                case Submission submission:
                    // The get goes first, so it is registered before the result can come back.
                    if (submission.Message is TaskMessage task)
                    {
                        _early.Start(task.TaskId);
                    }

                    await _scheduler.SendAsync(submission.Message, token).ConfigureAwait(false);
                    break;
                case CancelRequest cancel when _pending.Contains(cancel.TaskId):
                    await _scheduler.SendAsync(new TaskCancel { TaskId = cancel.TaskId, Flags = new TaskCancel.TaskCancelFlags { Force = true } }, token)
                        .ConfigureAwait(false);
                    break;
            }
        }

        if (!await stored.ConfigureAwait(false))
        {
            foreach (var taskId in submissions.SelectMany(s => s.TaskIds))
            {
                await _scheduler.SendAsync(new TaskCancel { TaskId = taskId, Flags = new TaskCancel.TaskCancelFlags { Force = true } }, token)
                    .ConfigureAwait(false);
            }
        }
    }
}
