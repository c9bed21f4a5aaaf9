using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Scaler.Cli.Tests.Commands;
using Scaler.Cli.Top;
using Scaler.Hosting.Options;
using Scaler.Hosting.Sections;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.Protocol.Messages;

namespace Scaler.Cli.Tests.Top;

public sealed class TopSessionTests
{
    /// <summary>Records frames and hands out the keys a test queues; each shown frame is also announced on a channel.</summary>
    private sealed class ScriptedScreen(int width = 0) : ITopScreen
    {
        private readonly Channel<char> _keys = Channel.CreateUnbounded<char>();
        private readonly Channel<string> _shown = Channel.CreateUnbounded<string>();
        private readonly List<string> _frames = [];

        public int Width => width;

        public IReadOnlyList<string> Frames
        {
            get
            {
                lock (_frames)
                {
                    return [.. _frames];
                }
            }
        }

        public void Press(char key) => Assert.True(_keys.Writer.TryWrite(key));

        public void Show(string frame)
        {
            lock (_frames)
            {
                _frames.Add(frame);
            }

            Assert.True(_shown.Writer.TryWrite(frame));
        }

        public async Task<char> ReadKeyAsync(CancellationToken cancellationToken) => await _keys.Reader.ReadAsync(cancellationToken);

        /// <summary>The next frame shown (in the order they were shown).</summary>
        public async Task<string> NextFrameAsync(CancellationToken cancellationToken) => await _shown.Reader.ReadAsync(cancellationToken);

        public async Task<string> NextFrameContainingAsync(string text, CancellationToken cancellationToken)
        {
            while (true)
            {
                var frame = await NextFrameAsync(cancellationToken);
                if (frame.Contains(text, StringComparison.Ordinal))
                {
                    return frame;
                }
            }
        }
    }

    private static TopOptions Options(ScalerAddress monitor, TimeSpan timeout) => new(monitor.ToString(), timeout, SecurityOptions.None);

    private static Task<YmqBinder> BindMonitorAsync(CancellationToken cancellationToken) => YmqBinder.BindAsync(
        ScalerAddress.Parse("tcp://127.0.0.1:0"), new YmqOptions { Identity = "scheduler-monitor" }, NullLogger.Instance, cancellationToken);

    [Fact]
    public async Task RunAsync_RendersTheStatePublishedByTheMonitorAndQuitsOnQ()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var monitor = await BindMonitorAsync(bound.Token);
        var publisher = PublishOnConnectAsync(monitor, bound.Token);
        var screen = new ScriptedScreen();
        var session = new TopSession(Options(monitor.LocalAddress, TimeSpan.FromSeconds(15)), screen, NullLogger.Instance, TimeProvider.System);

        var run = session.RunAsync(bound.Token);
        Assert.StartsWith("scaler_top: waiting for monitor messages from " + monitor.LocalAddress, await screen.NextFrameAsync(bound.Token), StringComparison.Ordinal);
        var frame = await screen.NextFrameContainingAsync("num_of_objs", bound.Token);
        screen.Press('n');
        // A sort key redraws the last state at once, without waiting for the next one.
        var sorted = await screen.NextFrameContainingAsync("[worker]", bound.Token);
        screen.Press('q');
        var exitCode = await run.WaitAsync(bound.Token);

        Assert.False(bound.IsCancellationRequested, "the session did not end within the test's bound");
        Assert.Equal(0, exitCode);
        Assert.Contains("num_of_objs 42", frame, StringComparison.Ordinal);
        Assert.Contains("Total 1 manager(s) with 2 worker(s), 3 pending", frame, StringComparison.Ordinal);
        Assert.Contains("[cpu]", frame, StringComparison.Ordinal);
        Assert.True(sorted.IndexOf("worker-low", StringComparison.Ordinal) < sorted.IndexOf("worker-high", StringComparison.Ordinal));
        // One state was published, so it was drawn once, then once more for the key; 'q' drew nothing.
        Assert.Equal(2, screen.Frames.Count(f => f.Contains("num_of_objs", StringComparison.Ordinal)));
        await publisher;
    }

    [Fact]
    public async Task RunAsync_LaysTheFrameOutToTheScreenWidth()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var monitor = await BindMonitorAsync(bound.Token);
        var publisher = PublishOnConnectAsync(monitor, bound.Token);
        var screen = new ScriptedScreen(width: 59);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(bound.Token);
        var session = new TopSession(Options(monitor.LocalAddress, TimeSpan.FromSeconds(15)), screen, NullLogger.Instance, TimeProvider.System);

        var run = session.RunAsync(stop.Token);
        var frame = await screen.NextFrameContainingAsync("num_of_objs", bound.Token);
        await stop.CancelAsync();

        Assert.Equal(0, await run.WaitAsync(bound.Token));
        Assert.All(frame.Split(Environment.NewLine), line => Assert.True(line.Length <= 59, $"{line.Length} characters: {line}"));
        await publisher;
    }

    [Fact]
    public async Task RunAsync_SilentMonitorEndsWithExitCodeOne()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var monitor = await BindMonitorAsync(bound.Token);
        var screen = new ScriptedScreen();
        var session = new TopSession(Options(monitor.LocalAddress, TimeSpan.FromMilliseconds(300)), screen, NullLogger.Instance, TimeProvider.System);

        var exitCode = await session.RunAsync(bound.Token);

        Assert.False(bound.IsCancellationRequested);
        Assert.Equal(1, exitCode);
        Assert.DoesNotContain(screen.Frames, f => f.Contains("num_of_objs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_NoMessagesAfterAFewSecondsShowsWhereTheMonitorUsuallyIs()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        // Stands for the scheduler's own port: it accepts the connection and publishes nothing.
        await using var schedulerPort = await BindMonitorAsync(bound.Token);
        var clock = new FakeTimeProvider();
        var screen = new ScriptedScreen();
        using var log = new LineLoggerFactory();
        var session = new TopSession(Options(schedulerPort.LocalAddress, TimeSpan.FromSeconds(8)), screen, log.CreateLogger("top"), clock);
        var expectedMonitor = schedulerPort.LocalAddress.WithPort(schedulerPort.LocalAddress.Port + 2);
        var hint = $"the scheduler's monitor is usually on its port + 2, here {expectedMonitor}";

        var run = session.RunAsync(bound.Token);
        await screen.NextFrameAsync(bound.Token);          // "waiting for monitor messages from ..."
        clock.Advance(TopSession.HintAfter - TimeSpan.FromMilliseconds(1));
        Assert.False(run.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var shown = await screen.NextFrameAsync(bound.Token);
        Assert.Equal($"scaler_top: no monitor messages from {schedulerPort.LocalAddress} within 3 seconds; {hint}", shown);
        Assert.False(run.IsCompleted, "the hint does not end the session before its timeout");

        clock.Advance(TimeSpan.FromSeconds(5));
        var exitCode = await run.WaitAsync(bound.Token);

        Assert.Equal(1, exitCode);
        Assert.Contains(log.Lines, l => l.Level == LogLevel.Error && l.Message == $"no monitor messages from {schedulerPort.LocalAddress} within 8 seconds; {hint}");
    }

    [Fact]
    public void NoMessagesText_LeavesOutAPortPastTheLast() =>
        Assert.Equal(
            "no monitor messages from tcp://127.0.0.1:65534 within 5 seconds",
            TopSession.NoMessagesText(ScalerAddress.Parse("tcp://127.0.0.1:65534"), TimeSpan.FromSeconds(5)));

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
