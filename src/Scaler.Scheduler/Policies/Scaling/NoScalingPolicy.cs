namespace Scaler.Scheduler.Policies.Scaling;

/// <summary><c>scaling=no</c>: sends no command at all, so managers keep whatever they run.</summary>
internal sealed class NoScalingPolicy : IScalingPolicy
{
    public IReadOnlyList<ScalingCommand> GetScalingCommands(ScalingSnapshot snapshot) => [];
}
