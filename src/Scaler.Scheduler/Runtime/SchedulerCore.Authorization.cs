using Scaler.IO.Tls;
using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.Protocol.Messages;
using Scaler.Scheduler.Security;

namespace Scaler.Scheduler.Runtime;

/// <summary>
/// What a peer may do, when the binder verifies certificates (<see cref="PeerAuthorizer.Enforcing"/>; docs/security.md).
/// A peer is dropped when it sends what its role never sends or acts for another identity (a legitimate peer never
/// does either, so it is a forgery attempt); a question the protocol can answer is answered as a refusal instead: a
/// shutdown without the admin role gets <c>accepted = false</c>, a cancel of another client's task gets
/// <c>cancelNotFound</c> (as for a task that does not exist, so its existence is not confirmed either).
/// </summary>
internal sealed partial class SchedulerCore
{
    /// <summary>True when <paramref name="message"/> from <paramref name="peer"/> may be handled.</summary>
    private bool Authorize(PeerIdentity peer, IMessage message)
    {
        var roles = _authorizer.RolesOf(peer);
        if (message is ClientDisconnect { DisconnectType: DisconnectType.Shutdown } && !roles.HasFlag(ScalerRoles.Admin))
        {
            _authorizer.Refused(peer, "asked to shut the cluster down without the admin role");
            Send(peer, new ClientShutdownResponse { Accepted = false });
            return false;
        }

        var required = MessageRoles.Required(message.Kind);
        if ((roles & required) == 0)
        {
            return Drop(peer, $"sent {message.Kind}, which needs role {ScalerRoleUris.Describe(required)}");
        }

        return message switch
        {
            TaskMessage task => IsOwnIdentity(peer, task.Source) || Drop(peer, "submitted a task whose source is another client"),
            GraphTask graph => IsOwnIdentity(peer, graph.Source) || Drop(peer, "submitted a graph whose source is another client"),
            TaskCancel cancel => MayCancel(peer, cancel),
            ObjectInstruction instruction => MayInstruct(peer, roles, instruction),
            TaskLog log => RunsTask(peer, log.TaskId) || Ignore(peer, "sent the log of a task it does not run"),
            _ => true,
        };
    }

    /// <summary>An empty source means "the sender" (as in <see cref="OnTask"/>).</summary>
    private static bool IsOwnIdentity(PeerIdentity peer, byte[] claimed) => claimed.Length == 0 || peer.Span.SequenceEqual(claimed);

    private bool MayCancel(PeerIdentity peer, TaskCancel cancel)
    {
        var task = new TaskId(cancel.TaskId);
        var owned = _tasks.TryGetTask(task, out var live) ? live.Client : _graphTasks.TryGetClient(task, out var graphClient) ? graphClient : (ClientId?)null;
        if (owned is not { } owner || owner == new ClientId(peer.Span))
        {
            return true;
        }

        _authorizer.Refused(peer, "tried to cancel another client's task");
        Send(peer, new TaskCancelConfirm { TaskId = cancel.TaskId, CancelConfirmType = TaskCancelConfirmType.CancelNotFound });
        return false;
    }

    /// <summary>
    /// A client speaks for itself; a worker only announces objects it created for a client whose tasks are live. Either
    /// way every object named must carry that client's owner prefix: the scheduler deletes a client's objects when it
    /// leaves, so an object announced under another owner could be deleted on someone else's behalf.
    /// </summary>
    private bool MayInstruct(PeerIdentity peer, ScalerRoles roles, ObjectInstruction instruction)
    {
        var user = instruction.ObjectUser;
        var forItself = roles.HasFlag(ScalerRoles.Client) || roles.HasFlag(ScalerRoles.Admin)
            ? IsOwnIdentity(peer, user) && user.Length > 0
            : false;
        if (!forItself)
        {
            if (!roles.HasFlag(ScalerRoles.Worker))
            {
                return Drop(peer, "sent an object instruction for another client");
            }

            if (instruction.InstructionType != ObjectInstructionType.Create || _tasks.TaskCountOf(new ClientId(user)) == 0)
            {
                return Ignore(peer, "sent an object instruction other than announcing a result of a live client's task");
            }
        }

        if (instruction.InstructionType == ObjectInstructionType.Create && instruction.ObjectMetadata is { } metadata)
        {
            var owner = ObjectOwner.FromClientIdentity(user);
            foreach (var id in metadata.ObjectIds)
            {
                if (id.Length == ObjectId.ByteLength && !ObjectId.FromBytes(id).IsOwnedBy(owner))
                {
                    return Ignore(peer, "announced an object that is not its client's");
                }
            }
        }

        return true;
    }

    private bool RunsTask(PeerIdentity peer, byte[] task) =>
        _tasks.TryGetWorker(new TaskId(task), out var worker) && worker == new WorkerId(peer.Span);

    /// <summary>Logs (once per peer) and closes the peer's connection; the disconnect that follows cleans up after it.</summary>
    private bool Drop(PeerIdentity peer, string what)
    {
        _authorizer.Refused(peer, what + "; connection closed");
        _outbox.Disconnect(peer);
        return false;
    }

    private bool Ignore(PeerIdentity peer, string what)
    {
        _authorizer.Refused(peer, what + "; ignored");
        return false;
    }
}
