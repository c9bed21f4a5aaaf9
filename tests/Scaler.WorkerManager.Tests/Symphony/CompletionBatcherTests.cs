using Microsoft.Extensions.Time.Testing;
using Scaler.WorkerManager.Symphony;

namespace Scaler.WorkerManager.Tests.Symphony;

public sealed class CompletionBatcherTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Add_NothingElseHeld_IsReportedAtOnce()
    {
        var sink = new BatchRecorder();
        using var batcher = new CompletionBatcher<int>(sink.Flush, Window, new FakeTimeProvider());

        batcher.Add(1, moreExpected: false);

        Assert.Equal([1], sink.Items);
    }

    [Fact]
    public void Add_MoreExpected_WaitsForTheWindowThenReportsTheBatchInOrder()
    {
        var sink = new BatchRecorder();
        var time = new FakeTimeProvider();
        using var batcher = new CompletionBatcher<int>(sink.Flush, Window, time);

        batcher.Add(1, moreExpected: true);
        time.Advance(Window / 2);
        batcher.Add(2, moreExpected: true);
        Assert.Empty(sink.Items);
        Assert.Equal(2, batcher.Waiting);

        // The window is the first completion's: the second does not push it back.
        time.Advance(Window / 2);

        Assert.Equal([1, 2], sink.Items);
        Assert.Equal(0, batcher.Waiting);
    }

    [Fact]
    public void Add_LastOneWhileABatchWaits_ReportsEverythingAtOnceInOrder()
    {
        var sink = new BatchRecorder();
        var time = new FakeTimeProvider();
        using var batcher = new CompletionBatcher<int>(sink.Flush, Window, time);

        batcher.Add(1, moreExpected: true);
        batcher.Add(2, moreExpected: false);

        Assert.Equal([1, 2], sink.Items);
        time.Advance(Window);
        Assert.Equal([1, 2], sink.Items);
    }

    [Fact]
    public void Add_ZeroWindow_ReportsEachAtOnce()
    {
        var sink = new BatchRecorder();
        using var batcher = new CompletionBatcher<int>(sink.Flush, TimeSpan.Zero, new FakeTimeProvider());

        batcher.Add(1, moreExpected: true);

        Assert.Equal([1], sink.Items);
    }

    [Fact]
    public void Dispose_WithABatchWaiting_ReportsIt()
    {
        var sink = new BatchRecorder();
        var batcher = new CompletionBatcher<int>(sink.Flush, Window, new FakeTimeProvider());
        batcher.Add(1, moreExpected: true);

        batcher.Dispose();

        Assert.Equal([1], sink.Items);
    }

    [Fact]
    public void Flush_NothingWaiting_HandsOnNoEmptyBatch()
    {
        var sink = new BatchRecorder();
        using var batcher = new CompletionBatcher<int>(sink.Flush, Window, new FakeTimeProvider());

        batcher.Flush();

        Assert.Equal(0, sink.Batches);
    }

    [Fact]
    public void Add_SeveralInOneWindow_AreHandedOnAsOneBatch()
    {
        var sink = new BatchRecorder();
        var time = new FakeTimeProvider();
        using var batcher = new CompletionBatcher<int>(sink.Flush, Window, time);

        batcher.Add(1, moreExpected: true);
        batcher.Add(2, moreExpected: true);
        batcher.Add(3, moreExpected: true);
        time.Advance(Window);

        Assert.Equal(1, sink.Batches);
        Assert.Equal([1, 2, 3], sink.Items);
    }

    private sealed class BatchRecorder
    {
        private readonly List<int> _items = [];
        private int _batches;

        public IReadOnlyList<int> Items
        {
            get
            {
                lock (_items)
                {
                    return [.. _items];
                }
            }
        }

        public int Batches => Volatile.Read(ref _batches);

        public void Flush(List<int> batch)
        {
            lock (_items)
            {
                _items.AddRange(batch);
            }

            Interlocked.Increment(ref _batches);
        }
    }
}
