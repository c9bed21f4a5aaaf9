using Scaler.IO.Tls;
using Scaler.Protocol.Messages;

namespace Scaler.Scheduler.Security;

/// <summary>
/// Which roles may send each message to the scheduler when its binder verifies certificates (docs/security.md):
/// client messages come from clients or admins, worker and worker manager messages from workers, object
/// instructions from both (workers announce the results they stored). What the scheduler only ever sends (echoes,
/// status, commands) no role may send to it. A shutdown (<see cref="ClientDisconnect"/> of type shutdown) also needs
/// <see cref="ScalerRoles.Admin"/>, which is checked apart because it is answered, not dropped.
/// </summary>
internal static class MessageRoles
{
    public const ScalerRoles ClientOrAdmin = ScalerRoles.Client | ScalerRoles.Admin;

    /// <summary>The peer must hold one of these roles to send a message of <paramref name="kind"/>.</summary>
    public static ScalerRoles Required(MessageKind kind) => kind switch
    {
        MessageKind.Task or MessageKind.TaskCancel or MessageKind.GraphTask or MessageKind.ClientHeartbeat
            or MessageKind.ClientDisconnect or MessageKind.InformationRequest => ClientOrAdmin,
        MessageKind.ObjectInstruction => ClientOrAdmin | ScalerRoles.Worker,
        MessageKind.TaskResult or MessageKind.TaskCancelConfirm or MessageKind.TaskLog or MessageKind.WorkerHeartbeat
            or MessageKind.DisconnectRequest or MessageKind.WorkerManagerHeartbeat => ScalerRoles.Worker,
        _ => ScalerRoles.None,
    };
}
