using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.Protocol;
using Scaler.Protocol.Messages;

namespace Scaler.Scheduler.Runtime;

/// <summary>The scheduler's side of <see cref="GraphTaskController"/>.</summary>
internal sealed partial class SchedulerCore : IGraphTaskHost
{
    /// <summary>
    /// Graph follow-ups noticed inside task manager calls; run after the call returns, because the manager must not
    /// be called back from its own effects.
    /// </summary>
    private readonly Queue<Action> _graphFollowUps = new();

    /// <summary>
    /// A graph node is encoded when it is submitted, as a client's task arrives encoded, so every task is kept and sent
    /// the same way: once per node rather than once per send.
    /// </summary>
    void IGraphTaskHost.SubmitTask(ClientId client, TaskMessage task) => SubmitTask(client, task, MessageCodec.Encode(task));

    void IGraphTaskHost.CancelTask(ClientId client, TaskId task) => _tasks.Cancel(client, task, force: true);

    void IGraphTaskHost.Send(ClientId client, IMessage message)
    {
        if (_roles.ContainsKey(new PeerIdentity(client.Span)))
        {
            Send(client, message);
        }
    }

    void IGraphTaskHost.Publish(IMessage message) => PublishMonitor(message);

    void IGraphTaskHost.ReleaseObjects(ClientId client, IReadOnlyList<byte[]> objectIds)
    {
        foreach (var bytes in objectIds)
        {
            if (bytes.Length == ObjectId.ByteLength)
            {
                _objects.Delete(client, ObjectId.FromBytes(bytes));
            }
        }
    }

    void IGraphTaskHost.LogRefused(GraphTask graph, string reason) =>
        SchedulerLog.GraphTaskRefused(_logger, Convert.ToHexString(graph.TaskId), reason);

    private void OnGraphTask(PeerIdentity peer, GraphTask graph)
    {
        var client = graph.Source.Length > 0 ? new ClientId(graph.Source) : new ClientId(peer.Span);
        _roles.TryAdd(new PeerIdentity(client.Span), PeerRole.Client);
        _graphTasks.Add(client, graph);
    }

    private void RunGraphFollowUps()
    {
        while (_graphFollowUps.TryDequeue(out var followUp))
        {
            followUp();
        }
    }
}
