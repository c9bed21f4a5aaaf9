using Microsoft.Extensions.Time.Testing;
using Scaler.IO.Ymq.Internal;

namespace Scaler.IO.Tests.Ymq;

/// <summary>When a frame in progress counts as stalled: the clock is a FakeTimeProvider, never a sleep.</summary>
public sealed class FrameStallDetectorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void FrameWithNoProgress_IsStalledOnceTheTimeoutPasses_NotBefore()
    {
        var clock = new FakeTimeProvider();
        var detector = new FrameStallDetector(Timeout, clock);

        Assert.False(detector.IsStalled(inProgress: true, bytesReceived: 100, framesCompleted: 3));
        clock.Advance(Timeout - TimeSpan.FromSeconds(1));
        Assert.False(detector.IsStalled(true, 100, 3));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(detector.IsStalled(true, 100, 3));
    }

    [Fact]
    public void DribbledBytes_AreNoProgress_ButEnoughBytesOrACompletedFrameRestartTheClock()
    {
        var clock = new FakeTimeProvider();
        var detector = new FrameStallDetector(Timeout, clock);
        Assert.False(detector.IsStalled(true, 0, 0));

        // A byte every 10 s for 30 s: still a stall.
        long received = 0;
        for (var i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            received++;
        }

        Assert.True(detector.IsStalled(true, received, 0));

        // 16 KiB more restarts the clock, and so does a completed frame.
        received += FrameStallDetector.MinimumProgressBytes;
        Assert.False(detector.IsStalled(true, received, 0));
        clock.Advance(Timeout - TimeSpan.FromSeconds(1));
        Assert.False(detector.IsStalled(true, received, 1));
        clock.Advance(Timeout - TimeSpan.FromSeconds(1));
        Assert.False(detector.IsStalled(true, received, 1));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(detector.IsStalled(true, received, 1));
    }

    [Fact]
    public void IdleConnection_IsNeverStalled_AndAFrameBegunLaterGetsAFullTimeout()
    {
        var clock = new FakeTimeProvider();
        var detector = new FrameStallDetector(Timeout, clock);

        for (var i = 0; i < 10; i++)
        {
            Assert.False(detector.IsStalled(inProgress: false, 50, 2));
            clock.Advance(Timeout);
        }

        Assert.False(detector.IsStalled(true, 50, 2));
        clock.Advance(Timeout - TimeSpan.FromSeconds(1));
        Assert.False(detector.IsStalled(true, 50, 2));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(detector.IsStalled(true, 50, 2));
    }
}
