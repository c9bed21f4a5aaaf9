namespace Scaler.Cli;

/// <summary>
/// Makes every process this program runs continue socket operations on the thread that polls the sockets (epoll)
/// instead of handing each completion to the thread pool.
/// </summary>
/// <remarks>
/// <para>Why: with the receive loops and the loops after them under <c>TurnContext</c>, a frame that travels alone then
/// crosses the process from <c>recvfrom</c> to the next <c>sendto</c> on that one thread, with no thread-pool wake-up.
/// On a small machine that wake-up is most of a hop's cost, so the round-trip latency falls and throughput does not
/// (the figures before and after: docs/performance.md, decision 24). Bursts are still handled as bursts.</para>
/// <para>Only a process's own code runs there, none of it meant to block: user tasks run on the pool (processors) or on
/// a thread of their own (service instances), and calls into IBM's SOAM are made from the pool. (The local SOAM engine
/// may start a service instance from there, once per instance.) The runtime reads the variable when it first uses a socket, so this
/// must run before anything else; child processes inherit it. An operator's own value, "0" included, is kept.</para>
/// </remarks>
internal static class InlineSocketCompletions
{
    internal const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void Enable()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
