using Microsoft.Extensions.Time.Testing;
using Scaler.IO.Ymq.Internal;

namespace Scaler.IO.Tests.Ymq;

/// <summary>When the memory of large frames' arrays is handed back: the clock is a FakeTimeProvider.</summary>
public sealed class LargeFrameMemoryReturnTests
{
    [Fact]
    public void BelowTheThreshold_NothingIsCollected()
    {
        var clock = new FakeTimeProvider();
        var collections = 0;
        using var memoryReturn = new LargeFrameMemoryReturn(clock, () => ++collections);

        memoryReturn.Made(LargeFrameMemoryReturn.ThresholdBytes - 1);
        Run(clock, TimeSpan.FromMinutes(1));

        Assert.Equal(0, collections);
    }

    [Fact]
    public void AfterTheThreshold_CollectsOnlyOnceQuiet_AtLeastTheMinimum_SpacedApart()
    {
        var clock = new FakeTimeProvider();
        var collections = 0;
        using var memoryReturn = new LargeFrameMemoryReturn(clock, () => ++collections * 0 + 1000);

        // A busy stream of large frames: no collection while they keep coming.
        for (var i = 0; i < 20; i++)
        {
            memoryReturn.Made(8 << 20);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(0, collections);
        clock.Advance(LargeFrameMemoryReturn.Quiet);
        Assert.Equal(1, collections);
        clock.Advance(LargeFrameMemoryReturn.Spacing);
        clock.Advance(LargeFrameMemoryReturn.Spacing);
        Assert.Equal(LargeFrameMemoryReturn.MinCollections, collections);

        // The committed memory no longer falls: that is all.
        Run(clock, TimeSpan.FromMinutes(5));
        Assert.Equal(LargeFrameMemoryReturn.MinCollections, collections);

        // And again after the next burst.
        memoryReturn.Made(LargeFrameMemoryReturn.ThresholdBytes);
        Run(clock, TimeSpan.FromMinutes(1));
        Assert.Equal(2 * LargeFrameMemoryReturn.MinCollections, collections);
    }

    [Fact]
    public void WhileEachCollectionStillGivesMemoryBack_ItGoesOn_UpToTheMaximum()
    {
        var clock = new FakeTimeProvider();
        long committed = 10_000;
        var collections = 0;
        using var memoryReturn = new LargeFrameMemoryReturn(clock, () =>
        {
            collections++;
            return collections <= 6 ? committed -= 1000 : committed;
        });

        memoryReturn.Made(LargeFrameMemoryReturn.ThresholdBytes);
        Run(clock, TimeSpan.FromMinutes(1));
        Assert.Equal(7, collections);

        committed = long.MaxValue;
        collections = 0;
        using var endless = new LargeFrameMemoryReturn(clock, () => committed -= 1);
        endless.Made(LargeFrameMemoryReturn.ThresholdBytes);
        Run(clock, TimeSpan.FromMinutes(1));
        Assert.Equal(long.MaxValue - LargeFrameMemoryReturn.MaxCollections, committed);
    }

    /// <summary>Advances a second at a time: a timer re-armed inside an advance fires in a later one.</summary>
    private static void Run(FakeTimeProvider clock, TimeSpan time)
    {
        for (var passed = TimeSpan.Zero; passed < time; passed += TimeSpan.FromSeconds(1))
        {
            clock.Advance(TimeSpan.FromSeconds(1));
        }
    }
}
