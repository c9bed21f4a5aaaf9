namespace Scaler.Cli.Launch;

/// <summary>
/// One process the launcher starts: its display name (the prefix of its output lines) and the arguments given to
/// <c>scaler-cli</c>, starting with the sub-command.
/// </summary>
internal sealed record ChildSpec(string Name, IReadOnlyList<string> Arguments);
