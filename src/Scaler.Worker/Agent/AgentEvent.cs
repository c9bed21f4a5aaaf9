using Scaler.ObjectStorage.Client;
using Scaler.Protocol.Messages;
using Scaler.Worker.Execution;

namespace Scaler.Worker.Agent;

/// <summary>What the agent loop reacts to; everything that changes agent state goes through its inbox.</summary>
internal abstract record AgentEvent
{
    /// <summary>
    /// A message that came on <paramref name="From"/> (dropped when that link was replaced). The agent hands it back
    /// (<see cref="SchedulerLink.Consumed"/>) once handled, which lets the link read the next one.
    /// </summary>
    public sealed record SchedulerMessage(SchedulerLink From, IMessage Message) : AgentEvent
    {
        public int Link => From.Number;
    }

    /// <summary>Scheduler link number <paramref name="Link"/> broke, closed, or never connected.</summary>
    public sealed record SchedulerGone(int Link, Exception Error) : AgentEvent;

    /// <summary>The wait before the next try to reach the scheduler is over.</summary>
    public sealed record ReconnectDue : AgentEvent;

    public sealed record Completed(TaskCompletion Completion) : AgentEvent;

    public sealed record CapacityAvailable : AgentEvent;

    public sealed record Started(byte[] TaskId) : AgentEvent;

    public sealed record Returned(TaskMessage Task) : AgentEvent;

    public sealed record Tick : AgentEvent;

    public sealed record ShutdownRequested : AgentEvent;

    public sealed record StorageConnected(ObjectStorageClient Client) : AgentEvent;

    public sealed record StorageFailed(Exception Error) : AgentEvent;
}
