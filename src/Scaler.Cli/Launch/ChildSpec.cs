namespace Scaler.Cli.Launch;

/// <summary>
/// One process the launcher starts: its display name (the prefix of its output lines), the arguments given to
/// <c>scaler-cli</c> starting with the sub-command, and, for a server the next children depend on, the address that
/// must accept connections before they are started.
/// </summary>
internal sealed record ChildSpec(string Name, IReadOnlyList<string> Arguments, string? ReadyAddress = null);
