using Scaler.Protocol.Messages;

namespace Scaler.Scheduler.Runtime;

/// <summary>Messages received and sent per type, for the binder status of <c>StateScheduler</c>.</summary>
internal sealed class MessageCounters
{
    private readonly Dictionary<MessageKind, uint> _received = [];
    private readonly Dictionary<MessageKind, uint> _sent = [];

    public void Received(MessageKind kind) => _received[kind] = _received.GetValueOrDefault(kind) + 1;

    public void Sent(MessageKind kind) => _sent[kind] = _sent.GetValueOrDefault(kind) + 1;

    public BinderStatus ToStatus() => new()
    {
        Received = ToPairs(_received),
        Sent = ToPairs(_sent),
    };

    private static BinderStatus.Pair[] ToPairs(Dictionary<MessageKind, uint> counts) =>
        counts.OrderBy(pair => pair.Key).Select(pair => new BinderStatus.Pair
        {
            // The reference names the message classes (TaskResult, WorkerHeartbeat, ...): the schema names.
            Client = pair.Key.ToString(),
            Number = pair.Value,
        }).ToArray();
}
