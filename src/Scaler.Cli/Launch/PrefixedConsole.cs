namespace Scaler.Cli.Launch;

/// <summary>
/// The launcher's terminal: every child's lines, each prefixed with the child's name, and the launcher's own notes.
/// A child's standard output goes to the launcher's standard output and its standard error to standard error, so
/// redirections keep working. Lines are written whole, one at a time, from any thread.
/// </summary>
internal sealed class PrefixedConsole(TextWriter output, TextWriter error)
{
    /// <summary>The prefix of the launcher's own lines.</summary>
    public const string LauncherName = "scaler";

    private readonly Lock _lock = new();

    public void ChildOutput(string childName, string line) => Write(output, childName, line);

    public void ChildError(string childName, string line) => Write(error, childName, line);

    public void Note(string line) => Write(output, LauncherName, line);

    public void Error(string line) => Write(error, LauncherName, line);

    private void Write(TextWriter writer, string name, string line)
    {
        lock (_lock)
        {
            writer.WriteLine($"[{name}] {line}");
            writer.Flush();
        }
    }
}
