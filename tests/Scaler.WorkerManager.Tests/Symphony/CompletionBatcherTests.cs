using Microsoft.Extensions.Time.Testing;
using Scaler.ObjectStorage.Store;
using Scaler.Protocol.Messages;
using Scaler.Worker.Execution;
using Scaler.WorkerManager.Symphony;

namespace Scaler.WorkerManager.Tests.Symphony;

public sealed class CompletionBatcherTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Add_NothingElseHeld_IsReportedAtOnce()
    {
        var sink = new ListSink();
        using var batcher = new CompletionBatcher(sink, Window, new FakeTimeProvider());

        batcher.Add(Completion(1), moreExpected: false);

        Assert.Equal([1], sink.TaskNumbers);
    }

    [Fact]
    public void Add_MoreExpected_WaitsForTheWindowThenReportsTheBatchInOrder()
    {
        var sink = new ListSink();
        var time = new FakeTimeProvider();
        using var batcher = new CompletionBatcher(sink, Window, time);

        batcher.Add(Completion(1), moreExpected: true);
        time.Advance(Window / 2);
        batcher.Add(Completion(2), moreExpected: true);
        Assert.Empty(sink.TaskNumbers);
        Assert.Equal(2, batcher.Waiting);

        // The window is the first completion's: the second does not push it back.
        time.Advance(Window / 2);

        Assert.Equal([1, 2], sink.TaskNumbers);
        Assert.Equal(0, batcher.Waiting);
    }

    [Fact]
    public void Add_LastOneWhileABatchWaits_ReportsEverythingAtOnceInOrder()
    {
        var sink = new ListSink();
        var time = new FakeTimeProvider();
        using var batcher = new CompletionBatcher(sink, Window, time);

        batcher.Add(Completion(1), moreExpected: true);
        batcher.Add(Completion(2), moreExpected: false);

        Assert.Equal([1, 2], sink.TaskNumbers);
        time.Advance(Window);
        Assert.Equal([1, 2], sink.TaskNumbers);
    }

    [Fact]
    public void Add_ZeroWindow_ReportsEachAtOnce()
    {
        var sink = new ListSink();
        using var batcher = new CompletionBatcher(sink, TimeSpan.Zero, new FakeTimeProvider());

        batcher.Add(Completion(1), moreExpected: true);

        Assert.Equal([1], sink.TaskNumbers);
    }

    [Fact]
    public void Dispose_WithABatchWaiting_ReportsIt()
    {
        var sink = new ListSink();
        var batcher = new CompletionBatcher(sink, Window, new FakeTimeProvider());
        batcher.Add(Completion(1), moreExpected: true);

        batcher.Dispose();

        Assert.Equal([1], sink.TaskNumbers);
    }

    private static TaskCompletion Completion(byte number) =>
        TaskCompletion.Stored([number], TaskResultType.Success, ObjectId.NewUnique(ObjectOwner.FromClientIdentity("Client|batcher"u8)));

    private sealed class ListSink : ITaskCompletionSink
    {
        private readonly List<int> _numbers = [];

        public IReadOnlyList<int> TaskNumbers
        {
            get
            {
                lock (_numbers)
                {
                    return [.. _numbers];
                }
            }
        }

        public void TaskCompleted(TaskCompletion completion)
        {
            lock (_numbers)
            {
                _numbers.Add(completion.TaskId[0]);
            }
        }

        public void CapacityAvailable()
        {
        }
    }
}
