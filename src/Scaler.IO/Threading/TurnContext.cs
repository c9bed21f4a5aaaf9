using System.Runtime.CompilerServices;

namespace Scaler.IO.Threading;

/// <summary>
/// Lets the chain of work that one burst of input causes run on the thread that received the burst, one step after
/// the other, instead of handing every step to the thread pool.
/// </summary>
/// <remarks>
/// <para>A receive loop that has read frames opens a turn on its thread (<see cref="Begin"/>), hands the frames to their
/// queue and ends the turn (<see cref="End"/>). A loop waiting on a queue under this context (its awaits capture it:
/// <c>ConfigureAwait(true)</c> after <see cref="SwitchTo"/>) that is woken inside a turn is not resumed at once and not
/// handed to the pool: its continuation is queued to the turn, and the thread that opened the turn runs it when it
/// ends the turn, after everything queued before it. Woken outside a turn, it runs in a turn of its own on the pool.</para>
/// <para>Why: on this design a frame that travels alone crosses a process (receive, handle, send) on one thread, with
/// no thread-pool wake-up per step, which is most of a hop's cost on a small machine; and a burst still moves as a
/// burst, because every loop drains all that the step before it queued before the next loop runs, so the send loop
/// writes all of a burst's answers at once. Resuming every loop inline instead (synchronous continuations) gives the
/// first and loses the second: each frame becomes its own write (docs/performance.md).</para>
/// <para>Work in a turn must not block: it holds up whatever the thread would do next (with socket completions on the
/// epoll thread, every socket of the process).</para>
/// </remarks>
public sealed class TurnContext : SynchronizationContext
{
    [ThreadStatic]
    private static Queue<Continuation>? t_pending;

    [ThreadStatic]
    private static Queue<Continuation>? t_spare;

    private TurnContext()
    {
    }

    /// <summary>The one instance: turns belong to threads, not to contexts.</summary>
    public static TurnContext Instance { get; } = new();

    /// <summary>True while the calling thread is in a turn.</summary>
    public static bool InTurn => t_pending is not null;

    /// <summary>
    /// True when the calling code runs under this context. Library code that completes through the transport awaits with
    /// <c>ConfigureAwait(TurnContext.IsCurrent)</c>: a caller under the context resumes in the turn that brought the
    /// answer, and any other caller (a user's, under a UI context perhaps) on the pool, never on its own context.
    /// </summary>
    public static bool IsCurrent => Current == Instance;

    /// <summary>
    /// Opens a turn on the calling thread unless one is open already. Returns whether this call opened it: pass that to
    /// <see cref="End"/>, and call it before the thread can leave (before any await that may not complete at once).
    /// </summary>
    public static bool Begin()
    {
        if (t_pending is not null)
        {
            return false;
        }

        t_pending = t_spare ?? new Queue<Continuation>();
        t_spare = null;
        return true;
    }

    /// <summary>
    /// When <paramref name="opened"/>, runs everything queued to the turn, including what that queues in turn, then
    /// closes it. Continuations run with this context current, so their next awaits come back here too.
    /// </summary>
    public static void End(bool opened)
    {
        if (!opened || t_pending is not { } pending)
        {
            return;
        }

        var previous = Current;
        try
        {
            while (pending.TryDequeue(out var continuation))
            {
                SetSynchronizationContext(Instance);
                continuation.Callback(continuation.State);
            }
        }
        finally
        {
            t_pending = null;
            SetSynchronizationContext(previous);

            // Only a continuation that threw leaves work behind; it must still run, and not on a thread that is leaving.
            while (pending.TryDequeue(out var left))
            {
                QueueToPool(left);
            }

            t_spare = pending;
        }
    }

    /// <summary>
    /// An awaitable that moves the awaiting method onto this context: it resumes at the end of the caller's turn, or on
    /// the pool in a turn of its own when the caller is in none.
    /// </summary>
    public static SwitchAwaitable SwitchTo() => default;

    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (t_pending is { } pending)
        {
            pending.Enqueue(new Continuation(d, state));
            return;
        }

        QueueToPool(new Continuation(d, state));
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        d(state);
    }

    public override SynchronizationContext CreateCopy() => this;

    private static void QueueToPool(Continuation continuation) =>
        ThreadPool.UnsafeQueueUserWorkItem(static c => RunInOwnTurn(c), continuation, preferLocal: false);

    private static void RunInOwnTurn(Continuation continuation)
    {
        var opened = Begin();
        var previous = Current;
        try
        {
            SetSynchronizationContext(Instance);
            continuation.Callback(continuation.State);
        }
        finally
        {
            SetSynchronizationContext(previous);
            End(opened);
        }
    }

    private readonly record struct Continuation(SendOrPostCallback Callback, object? State);

    /// <summary>The awaitable of <see cref="SwitchTo"/>.</summary>
    public readonly struct SwitchAwaitable
    {
        public SwitchAwaiter GetAwaiter() => default;
    }

    /// <summary>Never complete at once: the continuation always goes through <see cref="Post"/>.</summary>
    public readonly struct SwitchAwaiter : ICriticalNotifyCompletion
    {
        public bool IsCompleted => false;

        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation) =>
            Instance.Post(static state => ((Action)state!)(), continuation);

        public void UnsafeOnCompleted(Action continuation) => OnCompleted(continuation);
    }
}
