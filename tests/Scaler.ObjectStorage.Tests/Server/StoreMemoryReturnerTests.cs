using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Scaler.ObjectStorage.Server;

namespace Scaler.ObjectStorage.Tests.Server;

/// <summary>When the server gives deleted objects' memory back: once the store shrank by half and by 256 MiB or more.</summary>
public sealed class StoreMemoryReturnerTests : IDisposable
{
    private const long MiB = 1 << 20;

    private readonly FakeTimeProvider _time = new();
    private readonly StoreMemoryReturner _returner;
    private int _collections;

    public StoreMemoryReturnerTests()
    {
        _returner = new StoreMemoryReturner(_time, NullLogger.Instance, () => _collections++);
    }

    public void Dispose() => _returner.Dispose();

    [Fact]
    public void ShrinkByHalf_CollectsOnceAfterTheDelay()
    {
        _returner.Observe(1000 * MiB);
        _returner.Observe(400 * MiB);
        _returner.Observe(100 * MiB);

        _time.Advance(StoreMemoryReturner.Delay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, _collections);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, _collections);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, _collections);
        Assert.Equal(1, _returner.Returns);
    }

    [Theory]
    [InlineData(1000, 501)] // shrank by less than half
    [InlineData(400, 150)] // by half, but less than 256 MiB
    [InlineData(1000, 1000)]
    public void SmallShrink_DoesNotCollect(long peakMiB, long heldMiB)
    {
        _returner.Observe(peakMiB * MiB);
        _returner.Observe(heldMiB * MiB);

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(0, _collections);
    }

    [Fact]
    public void StoreGrowingBackBeforeTheCollection_CancelsIt()
    {
        _returner.Observe(1000 * MiB);
        _returner.Observe(100 * MiB);
        _returner.Observe(900 * MiB);

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(0, _collections);
    }

    [Fact]
    public void NextShrink_IsMeasuredFromWhatWasHeldAtTheLastCollection_AndWaitsForTheInterval()
    {
        _returner.Observe(4000 * MiB);
        _returner.Observe(1000 * MiB);
        _time.Advance(StoreMemoryReturner.Delay);
        Assert.Equal(1, _collections);

        // 1000 -> 400 MiB: half and 600 MiB from the last collection, which was just now: the next one comes a
        // whole interval after it.
        _returner.Observe(400 * MiB);
        _time.Advance(StoreMemoryReturner.MinimumInterval - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, _collections);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, _collections);
    }

    [Fact]
    public void Dispose_CancelsAScheduledCollection()
    {
        _returner.Observe(1000 * MiB);
        _returner.Observe(0);

        _returner.Dispose();
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(0, _collections);
    }
}
