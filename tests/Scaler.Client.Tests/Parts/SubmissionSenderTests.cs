using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.ClientTests.Support;
using Scaler.Functions;
using Scaler.Identity;
using Scaler.Internal;
using Scaler.Protocol.Messages;

namespace Scaler.ClientTests.Parts;

/// <summary><see cref="SubmissionSender"/>: what a batch sends, in which order, and what a failed store adds.</summary>
public sealed class SubmissionSenderTests : IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private readonly ClientIdentity _identity = ClientIdentity.CreateNew();
    private readonly FakeObjectStore _store = new();
    private readonly RecordingSchedulerLink _scheduler = new();
    private readonly PendingTasks _pending = new();
    private readonly SubmissionBuilder _builder;
    private readonly ConcurrentQueue<string> _events = new();
    private readonly SubmissionSender _sender;

    public SubmissionSenderTests()
    {
        _builder = new SubmissionBuilder(_identity);
        var early = new EarlyResultGets(new ResultObjects(_store, NullLogger.Instance, _timeout.Token), _pending, _identity.Owner);
        var uploader = new ObjectUploader(_store, NullLogger.Instance, (submissions, _) =>
        {
            foreach (var id in submissions.SelectMany(s => s.TaskIds))
            {
                _events.Enqueue($"failed {Convert.ToHexString(id)}");
            }
        });
        _sender = new SubmissionSender(_scheduler, _identity, uploader, early, _pending);
        _store.OnRequest = r => _events.Enqueue(r);
        _scheduler.OnSend = m => _events.Enqueue(m switch
        {
            TaskMessage t => $"task {Convert.ToHexString(t.TaskId)}",
            TaskCancel c => $"cancel {Convert.ToHexString(c.TaskId)}",
            _ => m.Kind.ToString(),
        });
    }

    public void Dispose() => _timeout.Dispose();

    [Fact]
    public async Task SendBatchAsync_AnnouncesTheNewObjectsThenSendsEachTaskAfterItsEarlyGet()
    {
        var first = Submit(1);
        var second = Submit(2);

        await _sender.SendBatchAsync([first, second], _timeout.Token).WaitAsync(_timeout.Token);

        var instruction = Assert.IsType<ObjectInstruction>(_scheduler.Sent.First());
        Assert.Equal(ObjectInstructionType.Create, instruction.InstructionType);
        Assert.Equal(first.Uploads.Concat(second.Uploads).Select(u => u.Id.ToBytes()), instruction.ObjectMetadata.ObjectIds);
        Assert.Equal([first.Message, second.Message], _scheduler.Sent.Skip(1));
        var events = _events.ToList();
        foreach (var submission in new[] { first, second })
        {
            var resultId = ObjectId.ForTaskResult(_identity.Owner, submission.TaskIds[0]);
            Assert.True(_store.IsWaitedFor(resultId));
            Assert.True(events.IndexOf($"get {resultId}") < events.IndexOf($"task {Convert.ToHexString(submission.TaskIds[0])}"), "the get is asked for before its task is sent");
        }

        Assert.DoesNotContain(_events, e => e.StartsWith("failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendBatchAsync_CancelOfAPendingTaskIsSentAndOfAFinishedOneDropped()
    {
        var task = Submit(3);
        var finished = TaskIds.New();

        await _sender.SendBatchAsync([task, new CancelRequest(task.TaskIds[0]), new CancelRequest(finished)], _timeout.Token).WaitAsync(_timeout.Token);

        var cancel = Assert.Single(_scheduler.Sent.OfType<TaskCancel>());
        Assert.Same(task.TaskIds[0], cancel.TaskId);
        Assert.True(cancel.Flags.Force);
    }

    [Fact]
    public async Task SendBatchAsync_StoreFails_TheSentTasksAreFailedThenCanceled()
    {
        var task = Submit(4);
        _store.FailSet = _ => new IOException("store full");

        await _sender.SendBatchAsync([task], _timeout.Token).WaitAsync(_timeout.Token);

        // The task left with its objects' stores (it never waits for them); the failure is known when they end, and
        // only then can the cancel follow, after the task failed here.
        var hex = Convert.ToHexString(task.TaskIds[0]);
        var events = _events.Where(e => !e.StartsWith("set ", StringComparison.Ordinal) && !e.StartsWith("get ", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, events.Count);
        Assert.True(events.IndexOf("ObjectInstruction") < events.IndexOf($"task {hex}"));
        Assert.Equal($"cancel {hex}", events[^1]);
        Assert.Contains($"failed {hex}", events);
    }

    [Fact]
    public async Task RunAsync_SendFails_ReportsTheSchedulerLostAndEnds()
    {
        var queue = Channel.CreateUnbounded<Outgoing>();
        var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _scheduler.Failure = new IOException("broken pipe");
        var loop = _sender.RunAsync(queue.Reader, (reason, _) => lost.TrySetResult(reason), _timeout.Token);

        queue.Writer.TryWrite(Submit(5));

        Assert.Equal("broken pipe", await lost.Task.WaitAsync(_timeout.Token));
        await loop.WaitAsync(_timeout.Token);
    }

    [Fact]
    public async Task RunAsync_QueueCompleted_SendsWhatWasQueuedAndEnds()
    {
        var queue = Channel.CreateUnbounded<Outgoing>();
        var task = Submit(6);
        queue.Writer.TryWrite(task);
        queue.Writer.Complete();

        await _sender.RunAsync(queue.Reader, (_, e) => throw e, _timeout.Token).WaitAsync(_timeout.Token);

        Assert.Contains(task.Message, _scheduler.Sent);
    }

    private Submission Submit(int argument)
    {
        var function = ShippableFunction.Capture(RemoteFunctions.Square);
        var submission = _builder.BuildTask(TaskIds.New(), function, "Square", function.Package(argument), TaskSettings.Default);
        _pending.Add(new RecordingPendingTask(submission.TaskIds[0]));
        return submission;
    }
}
