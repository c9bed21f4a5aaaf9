using Microsoft.Extensions.Logging.Abstractions;
using Scaler.Cli.Top;
using Scaler.Hosting.Options;
using Scaler.Hosting.Sections;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.Protocol.Messages;

namespace Scaler.Cli.Tests.Top;

public sealed class TopSessionTests
{
    /// <summary>Records frames; cancels the session after the first one.</summary>
    private sealed class CapturingScreen(CancellationTokenSource stopAfterFirst) : ITopScreen
    {
        public List<string> Frames { get; } = [];

        public void Show(string frame)
        {
            Frames.Add(frame);
            stopAfterFirst.Cancel();
        }

        public char? TryReadKey() => 'n';
    }

    private static TopOptions Options(ScalerAddress monitor, TimeSpan timeout) => new(monitor.ToString(), timeout, SecurityOptions.None);

    [Fact]
    public async Task RunAsync_RendersTheStatePublishedByTheMonitor()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var monitor = await YmqBinder.BindAsync(
            ScalerAddress.Parse("tcp://127.0.0.1:0"), new YmqOptions { Identity = "scheduler-monitor" }, NullLogger.Instance, bound.Token);
        var publisher = PublishOnConnectAsync(monitor, bound.Token);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(bound.Token);
        var screen = new CapturingScreen(stop);
        var session = new TopSession(Options(monitor.LocalAddress, TimeSpan.FromSeconds(15)), screen, NullLogger.Instance, TimeProvider.System);

        var exitCode = await session.RunAsync(stop.Token);

        Assert.False(bound.IsCancellationRequested, "the session did not render within the test's bound");
        Assert.Equal(0, exitCode);
        var frame = Assert.Single(screen.Frames);
        Assert.Contains("num_of_objs 42", frame, StringComparison.Ordinal);
        Assert.Contains("Total 1 manager(s) with 2 worker(s), 3 pending", frame, StringComparison.Ordinal);
        // The screen reported the key 'n' before the frame was drawn: workers are sorted by name.
        Assert.Contains("[worker]", frame, StringComparison.Ordinal);
        await publisher;
    }

    [Fact]
    public async Task RunAsync_SilentMonitorEndsWithExitCodeOne()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var monitor = await YmqBinder.BindAsync(
            ScalerAddress.Parse("tcp://127.0.0.1:0"), new YmqOptions { Identity = "scheduler-monitor" }, NullLogger.Instance, bound.Token);
        var screen = new CapturingScreen(new CancellationTokenSource());
        var session = new TopSession(Options(monitor.LocalAddress, TimeSpan.FromMilliseconds(300)), screen, NullLogger.Instance, TimeProvider.System);

        var exitCode = await session.RunAsync(bound.Token);

        Assert.False(bound.IsCancellationRequested);
        Assert.Equal(1, exitCode);
        Assert.Empty(screen.Frames);
    }

    // The monitor publishes a status message of another kind first (top must skip it), then the scheduler state.
    private static async Task PublishOnConnectAsync(YmqBinder monitor, CancellationToken cancellationToken)
    {
        await foreach (var e in monitor.Events.ReadAllAsync(cancellationToken))
        {
            if (e is YmqPeerConnected connected)
            {
                var other = new StateWorker { WorkerId = SampleStates.Bytes("worker-low"), State = WorkerState.Connected };
                Assert.True(await monitor.SendAsync(connected.Peer, MessageCodec.Encode(other), cancellationToken));
                Assert.True(await monitor.SendAsync(connected.Peer, MessageCodec.Encode(SampleStates.Busy()), cancellationToken));
                return;
            }
        }
    }
}
