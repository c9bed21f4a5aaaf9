namespace Scaler.Hosting.CommandLine;

/// <summary>
/// The name a <c>bin/</c> wrapper gives its command (<c>scaler_scheduler</c> for <c>scaler-cli scheduler</c>), so that
/// help and usage errors name the command the user typed. The wrapper sets <see cref="EnvironmentVariable"/>; it is read
/// once and removed from this process's environment, so the processes a tool starts (a launcher's children, a manager's
/// workers) do not inherit a name that is not theirs.
/// </summary>
public sealed class WrapperCommandName
{
    /// <summary>Set by the wrappers that scripts/setup.sh writes (decision 46).</summary>
    public const string EnvironmentVariable = "SCALER_COMMAND_NAME";

    private readonly string _replaced;
    private readonly string _name;

    private WrapperCommandName(string replaced, string name)
    {
        _replaced = replaced;
        _name = name;
    }

    /// <summary>
    /// The rewrite for a run of <paramref name="rootName"/> with <paramref name="args"/> under the wrapper name
    /// <paramref name="name"/>; null when there is no name or no sub-command to stand for.
    /// </summary>
    public static WrapperCommandName? For(string rootName, IReadOnlyList<string> args, string? name)
    {
        ArgumentNullException.ThrowIfNull(rootName);
        ArgumentNullException.ThrowIfNull(args);
        if (string.IsNullOrWhiteSpace(name) || args.Count == 0 || args[0].StartsWith('-'))
        {
            return null;
        }

        return new WrapperCommandName($"{rootName} {args[0]}", name.Trim());
    }

    /// <summary>Reads <paramref name="variable"/> and removes it from this process's environment.</summary>
    public static string? TakeFromEnvironment(string variable = EnvironmentVariable)
    {
        var name = Environment.GetEnvironmentVariable(variable);
        if (name is not null)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        return name;
    }

    /// <summary><paramref name="line"/> with "scaler-cli scheduler" written as the wrapper's name.</summary>
    public string Rewrite(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return line.Replace(_replaced, _name, StringComparison.Ordinal);
    }

    /// <summary>A writer that passes whole lines to <paramref name="inner"/>, each rewritten.</summary>
    public TextWriter Wrap(TextWriter inner) => new RewritingWriter(inner, this);
}
