using Scaler.ObjectStorage.Client;
using Scaler.Protocol.Messages;
using Scaler.Worker.Execution;

namespace Scaler.Worker.Agent;

/// <summary>What the agent loop reacts to; everything that changes agent state goes through its inbox.</summary>
internal abstract record AgentEvent
{
    public sealed record SchedulerMessage(IMessage Message) : AgentEvent;

    public sealed record SchedulerGone(Exception Error) : AgentEvent;

    public sealed record Completed(TaskCompletion Completion) : AgentEvent;

    public sealed record CapacityAvailable : AgentEvent;

    public sealed record Started(byte[] TaskId) : AgentEvent;

    public sealed record Returned(TaskMessage Task) : AgentEvent;

    public sealed record Tick : AgentEvent;

    public sealed record ShutdownRequested : AgentEvent;

    public sealed record StorageConnected(ObjectStorageClient Client) : AgentEvent;

    public sealed record StorageFailed(Exception Error) : AgentEvent;
}
