namespace Scaler.Cli.Launch;

/// <summary>Starts children as OS processes of <see cref="SelfCommand"/>.</summary>
internal sealed class OsChildProcessFactory(SelfCommand command) : IChildProcessFactory
{
    public IChildProcess Start(ChildSpec spec, Action<string> standardOutputLine, Action<string> standardErrorLine) =>
        OsChildProcess.Start(command, spec, standardOutputLine, standardErrorLine);
}
