namespace Scaler.Cli.Launch;

/// <summary>
/// How to start this same executable again: the file to run and the arguments that come before the sub-command.
/// Under <c>dotnet scaler-cli.dll</c> the host is <c>dotnet</c> and the assembly path goes first.
/// </summary>
internal sealed record SelfCommand(string FileName, IReadOnlyList<string> LeadingArguments)
{
    public static SelfCommand Current()
    {
        var processPath = Environment.ProcessPath
            ?? throw new InvalidOperationException("cannot tell which executable is running (Environment.ProcessPath is null)");
        // Under the dotnet host the program is the scaler-cli.dll in the application's directory (never the native build).
        return IsDotnetHost(processPath)
            ? ForAssembly(processPath, Path.Combine(AppContext.BaseDirectory, Worker.Hosting.ProcessLauncher.ExecutableName + ".dll"))
            : new SelfCommand(processPath, []);
    }

    /// <summary><c>dotnet path/to/scaler-cli.dll</c>: used by <see cref="Current"/> and by tests that start the real tool.</summary>
    public static SelfCommand ForAssembly(string dotnetHost, string assemblyPath) => new(dotnetHost, [assemblyPath]);

    private static bool IsDotnetHost(string processPath) =>
        string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.OrdinalIgnoreCase);
}
