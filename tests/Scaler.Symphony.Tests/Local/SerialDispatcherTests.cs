using Microsoft.Extensions.Logging.Abstractions;
using Scaler.Symphony.Local;

namespace Scaler.Symphony.Tests.Local;

/// <summary>
/// The session's callback delivery: in order, one at a time, on the engine thread that delivers when it is free, and
/// never on a thread that is not the engine's.
/// </summary>
public sealed class SerialDispatcherTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task EngineThread_NothingRunning_RunsTheCallbackOnItselfAtOnce()
    {
        var dispatcher = new SerialDispatcher(NullLogger.Instance);
        var ran = await OnEngineThreadAsync(() =>
        {
            int? ranOn = null;
            dispatcher.Deliver(() => ranOn = Environment.CurrentManagedThreadId);
            return (ranOn, Environment.CurrentManagedThreadId);
        });

        Assert.Equal(ran.Item2, ran.Item1);
    }

    [Fact]
    public async Task OtherThread_CallbackRunsElsewhere_NeverOnTheCaller()
    {
        var dispatcher = new SerialDispatcher(NullLogger.Instance);
        var ranOn = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        dispatcher.Deliver(() => ranOn.TrySetResult(Environment.CurrentManagedThreadId));

        Assert.NotEqual(Environment.CurrentManagedThreadId, await ranOn.Task.WaitAsync(Bound));
    }

    [Fact]
    public async Task ManyThreadsOfBothKinds_EveryCallbackRunsOnce_OneAtATime_InTheOrderOfEachThread()
    {
        const int PerThread = 2000;
        var dispatcher = new SerialDispatcher(NullLogger.Instance);
        var running = 0;
        var overlaps = 0;
        var seen = new List<(int Thread, int Sequence)>();
        var allRan = new CountdownEvent(4 * PerThread);

        void Deliver(int thread, int sequence) => dispatcher.Deliver(() =>
        {
            if (Interlocked.Increment(ref running) != 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            seen.Add((thread, sequence)); // unsynchronised on purpose: only one callback may run at a time
            Interlocked.Decrement(ref running);
            allRan.Signal();
        });

        var producers = new[]
        {
            OnEngineThreadAsync(() => Produce(0)),
            OnEngineThreadAsync(() => Produce(1)),
            Task.Run(() => Produce(2)),
            Task.Run(() => Produce(3)),
        };
        await Task.WhenAll(producers).WaitAsync(Bound);

        Assert.True(allRan.Wait(Bound), $"{allRan.CurrentCount} callbacks never ran");
        Assert.Equal(0, overlaps);
        for (var thread = 0; thread < 4; thread++)
        {
            Assert.Equal(Enumerable.Range(0, PerThread), seen.Where(s => s.Thread == thread).Select(s => s.Sequence));
        }

        int Produce(int thread)
        {
            for (var i = 0; i < PerThread; i++)
            {
                Deliver(thread, i);
            }

            return thread;
        }
    }

    [Fact]
    public async Task Complete_QueuedCallbacksStillRun_LaterOnesAreDropped()
    {
        var dispatcher = new SerialDispatcher(NullLogger.Instance);
        var release = new ManualResetEventSlim();
        var ran = new List<string>();
        var lastRan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The first callback holds the delivery, so the second is queued behind it when the dispatcher completes.
        dispatcher.Deliver(() =>
        {
            release.Wait(Bound);
            lock (ran)
            {
                ran.Add("first");
            }
        });
        dispatcher.Deliver(() =>
        {
            lock (ran)
            {
                ran.Add("queued");
            }

            lastRan.TrySetResult();
        });
        dispatcher.Complete();
        dispatcher.Deliver(() =>
        {
            lock (ran)
            {
                ran.Add("after completion");
            }
        });
        release.Set();

        await lastRan.Task.WaitAsync(Bound);
        await Task.Delay(100);
        lock (ran)
        {
            Assert.Equal(["first", "queued"], ran);
        }
    }

    /// <summary>Runs the function on a new thread marked as the engine's (as an instance's reader is).</summary>
    private static Task<T> OnEngineThreadAsync<T>(Func<T> function)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            SerialDispatcher.MarkEngineThread();
            try
            {
                done.TrySetResult(function());
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        })
        { IsBackground = true }.Start();
        return done.Task;
    }
}
