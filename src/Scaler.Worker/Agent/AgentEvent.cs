using Scaler.ObjectStorage.Client;
using Scaler.Protocol.Messages;
using Scaler.Worker.Execution;

namespace Scaler.Worker.Agent;

/// <summary>What the agent loop reacts to; everything that changes agent state goes through its inbox.</summary>
internal abstract record AgentEvent
{
    /// <summary>A message that came on scheduler link number <paramref name="Link"/> (dropped when that link was replaced).</summary>
    public sealed record SchedulerMessage(int Link, IMessage Message) : AgentEvent;

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
