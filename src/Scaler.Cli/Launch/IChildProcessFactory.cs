namespace Scaler.Cli.Launch;

/// <summary>Starts the launcher's children; the line callbacks receive each line the child writes, without its end.</summary>
internal interface IChildProcessFactory
{
    /// <summary>Starts <paramref name="spec"/>; throws when the process cannot be started.</summary>
    IChildProcess Start(ChildSpec spec, Action<string> standardOutputLine, Action<string> standardErrorLine);
}
