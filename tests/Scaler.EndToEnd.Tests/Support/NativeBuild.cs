namespace Scaler.EndToEnd.Tests.Support;

/// <summary>Where the published native build is, and what a running process is (from /proc).</summary>
internal static class NativeBuild
{
    public const string Variable = "SCALER_NATIVE_BUILD";

    /// <summary>
    /// <c>SCALER_NATIVE_BUILD</c>, else artifacts/publish/scaler-cli/scaler-native in the repository; a test that needs
    /// it fails with how to make it rather than passing without it.
    /// </summary>
    public static string Path { get; } = Locate();

    /// <summary>The file name of the executable process <paramref name="pid"/> runs now.</summary>
    public static string ExecutableOf(int pid) =>
        System.IO.Path.GetFileName(new FileInfo($"/proc/{pid}/exe").LinkTarget ?? throw new InvalidOperationException($"no /proc/{pid}/exe"));

    /// <summary>Every process whose arguments contain all of <paramref name="parts"/>.</summary>
    public static IReadOnlyList<int> ProcessesWhoseArgumentsContain(params string[] parts)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var arguments = File.ReadAllText(System.IO.Path.Combine(directory, "cmdline")).Split('\0');
                if (parts.All(part => arguments.Contains(part, StringComparer.Ordinal)))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to read.
            }
        }

        return found;
    }

    private static string Locate()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            return File.Exists(given) ? given : throw new FileNotFoundException($"{Variable}={given}: no such file");
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Scaler.slnx")))
            {
                var path = System.IO.Path.Combine(directory.FullName, "artifacts", "publish", "scaler-cli", "scaler-native");
                return File.Exists(path)
                    ? path
                    : throw new FileNotFoundException($"the native build is not published ({path}); run scripts/publish.sh (scripts/test.sh does)");
            }
        }

        throw new FileNotFoundException("cannot find the repository (Scaler.slnx) above the tests to find the native build");
    }
}
