using Microsoft.Extensions.Time.Testing;
using Scaler.Cli.Launch;

namespace Scaler.Cli.Tests.Launch;

/// <summary>The parent-ID watch of a child, on a fake clock and a fake getppid.</summary>
public sealed class ParentWatchTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ParentStillThere_KeepsWaiting_ParentGone_CompletesAtTheNextLook()
    {
        var time = new FakeTimeProvider();
        var parent = 4242;
        var watch = new ParentWatch(4242, () => Volatile.Read(ref parent), time);

        var waiting = watch.WaitForParentExitAsync(CancellationToken.None);
        for (var i = 0; i < 8; i++)
        {
            time.Advance(ParentWatch.PollInterval);
        }

        Assert.False(waiting.IsCompleted);

        // The kernel re-parents an orphan at once (to init or a subreaper): its parent ID changes.
        Volatile.Write(ref parent, 1);
        time.Advance(ParentWatch.PollInterval);
        await waiting.WaitAsync(Bound);
    }

    [Fact]
    public void ParentGoneBeforeTheWatchStarted_CompletesAtOnce()
    {
        var watch = new ParentWatch(4242, () => 1, new FakeTimeProvider());

        Assert.True(watch.WaitForParentExitAsync(CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Canceled_StopsWatching()
    {
        using var cts = new CancellationTokenSource();
        var watch = new ParentWatch(4242, () => 4242, new FakeTimeProvider());
        var waiting = watch.WaitForParentExitAsync(cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Bound));
    }
}
