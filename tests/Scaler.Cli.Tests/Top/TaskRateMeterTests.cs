using Microsoft.Extensions.Time.Testing;
using Scaler.Cli.Top;
using Scaler.Protocol.Messages;

namespace Scaler.Cli.Tests.Top;

public sealed class TaskRateMeterTests
{
    private readonly FakeTimeProvider _clock = new();

    private static StateScheduler Snapshot(uint results, uint tasks, uint graphTasks = 0) => new()
    {
        Binder = new BinderStatus
        {
            Received =
            [
                new BinderStatus.Pair { Client = "Task", Number = tasks },
                new BinderStatus.Pair { Client = "GraphTask", Number = graphTasks },
                new BinderStatus.Pair { Client = "TaskResult", Number = results },
                new BinderStatus.Pair { Client = "WorkerHeartbeat", Number = 1_000_000 },
            ],
        },
    };

    private static StateTask Finished(string worker, TaskState state) =>
        new() { TaskId = [1], State = state, Worker = SampleStates.Bytes(worker) };

    [Fact]
    public void Sample_FirstSnapshotHasNoRates()
    {
        var meter = new TaskRateMeter(_clock);

        Assert.Equal(TopRates.Unknown, meter.Sample(Snapshot(results: 10, tasks: 10)));
    }

    [Fact]
    public void Sample_DividesTheCountersIncreaseByTheTimeBetweenSnapshots()
    {
        var meter = new TaskRateMeter(_clock);
        meter.Sample(Snapshot(results: 100, tasks: 50));

        _clock.Advance(TimeSpan.FromSeconds(2));
        var rates = meter.Sample(Snapshot(results: 300, tasks: 200, graphTasks: 50));

        Assert.Equal(100, rates.ResultsPerSecond);
        Assert.Equal(100, rates.SubmittedPerSecond);
        // No task states were published: per-worker rates are unknown, not zero.
        Assert.Null(rates.PerWorker);
        Assert.Null(rates.OfWorker("w1"));
    }

    [Fact]
    public void Sample_CountsEachWorkersFinishedTasksSinceTheLastSnapshot()
    {
        var meter = new TaskRateMeter(_clock);
        meter.Observe(Finished("w1", TaskState.Success));  // before the first snapshot: no interval to put it in
        meter.Sample(Snapshot(results: 0, tasks: 0));
        foreach (var state in new[] { TaskState.Success, TaskState.Success, TaskState.Failed, TaskState.Running, TaskState.Canceled })
        {
            meter.Observe(Finished("w1", state));
        }

        meter.Observe(Finished("w2", TaskState.Success));
        meter.Observe(Finished("", TaskState.Success));

        _clock.Advance(TimeSpan.FromMilliseconds(500));
        var rates = meter.Sample(Snapshot(results: 4, tasks: 4));

        Assert.Equal(6, rates.OfWorker("w1"));
        Assert.Equal(2, rates.OfWorker("w2"));
        Assert.Equal(0, rates.OfWorker("w3"));

        _clock.Advance(TimeSpan.FromSeconds(1));
        var next = meter.Sample(Snapshot(results: 4, tasks: 4));

        Assert.Equal(0, next.OfWorker("w1"));
        Assert.Equal(0, next.ResultsPerSecond);
    }

    [Fact]
    public void Sample_ACounterThatWentDownIsARestartedSchedulerCountingFromZero()
    {
        var meter = new TaskRateMeter(_clock);
        meter.Sample(Snapshot(results: 5_000, tasks: 5_000));

        _clock.Advance(TimeSpan.FromSeconds(1));
        var rates = meter.Sample(Snapshot(results: 30, tasks: 40));

        Assert.Equal(30, rates.ResultsPerSecond);
        Assert.Equal(40, rates.SubmittedPerSecond);
    }

    [Fact]
    public void Sample_TwoSnapshotsInOneTickKeepTheEarlierAsTheBase()
    {
        var meter = new TaskRateMeter(_clock);
        meter.Sample(Snapshot(results: 0, tasks: 0));
        Assert.Equal(TopRates.Unknown, meter.Sample(Snapshot(results: 10, tasks: 0)));

        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(20, meter.Sample(Snapshot(results: 20, tasks: 0)).ResultsPerSecond);
    }
}
