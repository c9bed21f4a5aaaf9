using Microsoft.Extensions.Time.Testing;
using Scaler.IO.Ymq.Internal;

namespace Scaler.IO.Tests.Ymq;

public sealed class LogThrottleTests
{
    [Fact]
    public void FirstOccurrenceIsLogged_ThenAtMostOncePerInterval_WithTheCountHeldBack()
    {
        var clock = new FakeTimeProvider();
        var throttle = new LogThrottle(TimeSpan.FromSeconds(10), clock);

        Assert.True(throttle.Occurred(out var first));
        Assert.Equal(1, first);
        for (var i = 0; i < 1000; i++)
        {
            Assert.False(throttle.Occurred(out _));
            clock.Advance(TimeSpan.FromMilliseconds(5));
        }

        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(throttle.Occurred(out var next));
        Assert.Equal(1001, next);
        Assert.False(throttle.Occurred(out _));
    }
}
