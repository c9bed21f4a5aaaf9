namespace Scaler.Scheduler.Policies.Scaling;

/// <summary>
/// Decides, from the current observation only (no memory, no cooldown, as in the reference), what to ask of the
/// worker manager that just heartbeated. The answer is repeated at every heartbeat until the manager gets there.
/// </summary>
internal interface IScalingPolicy
{
    IReadOnlyList<ScalingCommand> GetScalingCommands(ScalingSnapshot snapshot);
}
