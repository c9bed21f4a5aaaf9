namespace Scaler.Cli.Launch;

/// <summary>How a supervised stack ended.</summary>
internal sealed record SupervisionResult(SupervisionOutcome Outcome, string? ChildName = null, int? ExitCode = null, string? Detail = null)
{
    public static SupervisionResult Stopped { get; } = new(SupervisionOutcome.Stopped);

    /// <summary>The launcher's exit code: 0 only when it was asked to stop.</summary>
    public int LauncherExitCode => Outcome == SupervisionOutcome.Stopped ? 0 : 1;

    public string Describe() => Outcome switch
    {
        SupervisionOutcome.Stopped => "stopped",
        SupervisionOutcome.ChildExited => $"{ChildName} exited with code {ExitCode}; stopped the other processes",
        SupervisionOutcome.StartFailed => $"could not start {ChildName}: {Detail}; stopped the other processes",
        _ => Outcome.ToString(),
    };
}

internal enum SupervisionOutcome
{
    /// <summary>A shutdown was requested (Ctrl-C, SIGTERM) and every child was stopped.</summary>
    Stopped,

    /// <summary>A child exited on its own; the others were stopped.</summary>
    ChildExited,

    /// <summary>A child could not be started; the ones already started were stopped.</summary>
    StartFailed,
}
