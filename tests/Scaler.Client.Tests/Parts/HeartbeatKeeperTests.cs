using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Scaler.ClientTests.Support;
using Scaler.Internal;
using Scaler.Protocol.Messages;

namespace Scaler.ClientTests.Parts;

/// <summary>
/// <see cref="HeartbeatKeeper"/> on a <see cref="FakeTimeProvider"/>: the test moves time one interval at a time and
/// waits for the loop's tick (seen through its closing check, which it makes once per tick) instead of sleeping.
/// </summary>
public sealed class HeartbeatKeeperTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SchedulerTimeout = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private readonly CancellationTokenSource _stop = new();
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingSchedulerLink _scheduler = new();
    private readonly Channel<int> _ticks = Channel.CreateUnbounded<int>();
    private readonly TaskCompletionSource<(string Reason, Exception? Error)> _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HeartbeatKeeper _keeper;
    private int _tick;
    private volatile bool _closing;

    public HeartbeatKeeperTests() =>
        _keeper = new HeartbeatKeeper(_scheduler, _time, Interval, SchedulerTimeout, IsClosing, (reason, error) => _lost.TrySetResult((reason, error)));

    public void Dispose()
    {
        _stop.Dispose();
        _timeout.Dispose();
    }

    [Fact]
    public async Task RunAsync_EchoedHeartbeats_OnePerIntervalCarryingHalfTheRoundTrip()
    {
        var loop = _keeper.RunAsync(_stop.Token);

        await TickAsync();
        var first = Assert.IsType<ClientHeartbeat>(await _scheduler.NextAsync(_timeout.Token));
        Assert.Equal(0u, first.LatencyUS);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        _keeper.OnEcho();
        Assert.Equal(5_000u, _keeper.LatencyMicroseconds);

        await TickAsync();
        var second = Assert.IsType<ClientHeartbeat>(await _scheduler.NextAsync(_timeout.Token));
        Assert.Equal(5_000u, second.LatencyUS);

        await StopAsync(loop);
        Assert.False(_lost.Task.IsCompleted);
    }

    [Fact]
    public async Task RunAsync_EchoMissing_WaitsThreeIntervalsBeforeSendingAgain()
    {
        var sentAtTick = new List<int>();
        _scheduler.OnSend = _ => sentAtTick.Add(Volatile.Read(ref _tick)); // a tick's send follows its closing check
        var loop = _keeper.RunAsync(_stop.Token);

        await TickAsync(); // sent
        await TickAsync(); // 2 s after it: outstanding
        await TickAsync(); // 4 s: outstanding
        _keeper.NoteContact(); // other messages keep the scheduler alive meanwhile
        await TickAsync(); // 6 s: three intervals, the echo seems lost: resent
        await _scheduler.NextAsync(_timeout.Token);
        await _scheduler.NextAsync(_timeout.Token);

        Assert.Equal([1, 4], sentAtTick);
        await StopAsync(loop);
    }

    [Fact]
    public async Task RunAsync_SchedulerSilentPastItsTimeout_ReportsItLostAndEnds()
    {
        var loop = _keeper.RunAsync(_stop.Token);
        for (var elapsed = TimeSpan.Zero; elapsed < SchedulerTimeout; elapsed += Interval)
        {
            await TickAsync();
        }

        Assert.False(_lost.Task.IsCompleted);
        _time.Advance(Interval); // 12 s without a message

        var (reason, error) = await _lost.Task.WaitAsync(_timeout.Token);
        Assert.Equal("no message for 12 s (timeout 10 s)", reason);
        Assert.Null(error);
        await loop.WaitAsync(_timeout.Token);
    }

    [Fact]
    public async Task RunAsync_ContactNoted_KeepsTheSchedulerAlivePastItsTimeout()
    {
        var loop = _keeper.RunAsync(_stop.Token);

        for (var i = 0; i < 12; i++)
        {
            await TickAsync();
            _keeper.NoteContact();
            _keeper.OnEcho();
        }

        Assert.False(_lost.Task.IsCompleted);
        await StopAsync(loop);
    }

    [Fact]
    public async Task RunAsync_ClientClosing_EndsWithoutAnotherHeartbeat()
    {
        var loop = _keeper.RunAsync(_stop.Token);
        _closing = true;

        await TickAsync();

        await loop.WaitAsync(_timeout.Token);
        Assert.Empty(_scheduler.Sent);
        Assert.False(_lost.Task.IsCompleted);
    }

    [Fact]
    public async Task RunAsync_SendFails_ReportsTheSchedulerLostWithTheError()
    {
        var broken = new IOException("connection reset");
        _scheduler.Failure = broken;
        var loop = _keeper.RunAsync(_stop.Token);

        await TickAsync();

        var (reason, error) = await _lost.Task.WaitAsync(_timeout.Token);
        Assert.Equal("connection reset", reason);
        Assert.Same(broken, error);
        await loop.WaitAsync(_timeout.Token);
    }

    private bool IsClosing()
    {
        _ticks.Writer.TryWrite(Interlocked.Increment(ref _tick));
        return _closing;
    }

    /// <summary>Moves time one interval and waits until the loop has seen the tick.</summary>
    private async Task TickAsync()
    {
        _time.Advance(Interval);
        await _ticks.Reader.ReadAsync(_timeout.Token);
    }

    private async Task StopAsync(Task loop)
    {
        await _stop.CancelAsync();
        await loop.WaitAsync(_timeout.Token);
    }
}
