using System.Diagnostics;
using System.Globalization;

namespace Scaler.Worker.Hosting;

/// <summary>
/// How a Scaler process tells a <c>scaler-cli</c> child whose life it owns: the child gets this process's ID in
/// <see cref="Variable"/>, watches that process, and stops (as on SIGTERM) when it is gone, even when it was killed
/// with SIGKILL and had no chance to stop the child itself (decision 27). Every child a Scaler process starts is marked:
/// workers by their manager, processors by their worker, the local SOAM engine's service instances by their manager,
/// and the processes of <c>scaler stack.toml</c> by the launcher.
/// </summary>
public static class ParentProcess
{
    /// <summary>The environment variable holding the parent's process ID.</summary>
    public const string Variable = "SCALER_PARENT_PID";

    /// <summary>This process's ID as the value of <see cref="Variable"/>.</summary>
    public static string CurrentValue { get; } = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Marks <paramref name="startInfo"/>'s process as a child that must not outlive this process.</summary>
    public static void Mark(ProcessStartInfo startInfo)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        startInfo.Environment[Variable] = CurrentValue;
    }
}
