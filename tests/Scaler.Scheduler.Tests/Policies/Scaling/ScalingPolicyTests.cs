using Scaler.Identity;
using Scaler.Scheduler.Policies;
using Scaler.Scheduler.Policies.Scaling;

namespace Scaler.Scheduler.Tests.Policies.Scaling;

public sealed class ScalingPolicyTests
{
    private static readonly WorkerManagerId Manager = WorkerManagerId.FromString("wm-1");

    private static ScalingSnapshot Snapshot(int tasks, int workers, int managed, int max = -1) =>
        new(tasks, Enumerable.Repeat(Capabilities.None, tasks), workers, Manager, max, managed);

    private static int VanillaDesired(ScalingSnapshot snapshot)
    {
        var command = Assert.Single(new VanillaScalingPolicy().GetScalingCommands(snapshot));
        var request = Assert.Single(command.Requests);
        Assert.Empty(request.Capabilities);
        return request.TaskConcurrency;
    }

    [Theory]
    [InlineData(5, 0, 0, 1)] // tasks but no worker anywhere: one more
    [InlineData(5, 0, 3, 4)]
    [InlineData(0, 0, 2, 2)] // nothing at all: keep
    [InlineData(101, 10, 10, 11)] // ratio 10.1 > 10: one more
    [InlineData(100, 10, 10, 10)] // ratio exactly 10: keep
    [InlineData(10, 10, 7, 7)] // ratio exactly 1: keep
    [InlineData(9, 10, 10, 1)] // ratio 0.9 < 1: ceil(9 / 10) = 1
    [InlineData(25, 30, 30, 3)] // ratio < 1: ceil(25 / 10) = 3
    [InlineData(0, 4, 4, 0)] // no task: none
    [InlineData(50, 10, 2, 2)] // ratio 5 between the bounds: keep this manager's own count
    public void Vanilla_FollowsTheRatioRules(int tasks, int workers, int managed, int expected)
    {
        Assert.Equal(expected, VanillaDesired(Snapshot(tasks, workers, managed)));
    }

    [Fact]
    public void Vanilla_IsCappedByTheManagersMaxTaskConcurrency()
    {
        Assert.Equal(8, VanillaDesired(Snapshot(tasks: 500, workers: 8, managed: 8, max: 8)));
        Assert.Equal(9, VanillaDesired(Snapshot(tasks: 500, workers: 8, managed: 8, max: -1)));
        Assert.Equal(0, VanillaDesired(Snapshot(tasks: 5, workers: 0, managed: 0, max: 0)));
    }

    [Fact]
    public void No_SendsNothing()
    {
        Assert.Empty(new NoScalingPolicy().GetScalingCommands(Snapshot(tasks: 1000, workers: 0, managed: 0)));
    }

    [Fact]
    public void Capability_OneRequestPerCapabilitySet_WithTheFirstTasksCapabilities()
    {
        var gpu1 = new Dictionary<string, long> { ["gpu"] = 1 };
        var gpu2 = new Dictionary<string, long> { ["gpu"] = 2 };
        var tasks = Enumerable.Repeat<IReadOnlyDictionary<string, long>>(gpu1, 7)
            .Concat(Enumerable.Repeat(Capabilities.None, 3))
            .Append(gpu2)
            .ToList();
        var snapshot = new ScalingSnapshot(tasks.Count, tasks, 0, Manager, -1, 0);

        var command = Assert.Single(new CapabilityScalingPolicy().GetScalingCommands(snapshot));

        Assert.Collection(
            command.Requests,
            gpu =>
            {
                Assert.Same(gpu1, gpu.Capabilities);
                Assert.Equal(2, gpu.TaskConcurrency); // 8 gpu tasks / 5 rounded up
            },
            plain =>
            {
                Assert.Empty(plain.Capabilities);
                Assert.Equal(1, plain.TaskConcurrency); // at least one
            });
    }

    [Fact]
    public void Capability_CapsEachRequest_AndSendsAnEmptyRequestListWithoutTasks()
    {
        var gpu = new Dictionary<string, long> { ["gpu"] = -1 };
        var tasks = Enumerable.Repeat<IReadOnlyDictionary<string, long>>(gpu, 50).ToList();
        var capped = new ScalingSnapshot(50, tasks, 0, Manager, 4, 0);

        var request = Assert.Single(Assert.Single(new CapabilityScalingPolicy().GetScalingCommands(capped)).Requests);
        Assert.Equal(4, request.TaskConcurrency);

        var idle = new ScalingSnapshot(0, [], 3, Manager, -1, 3);
        Assert.Empty(Assert.Single(new CapabilityScalingPolicy().GetScalingCommands(idle)).Requests);
    }
}
