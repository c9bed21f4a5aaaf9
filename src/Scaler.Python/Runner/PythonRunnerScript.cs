namespace Scaler.Python.Runner;

/// <summary>
/// Finds the runner script that ships with the product: <c>python/scaler_net_runner.py</c> (and its package
/// <c>python/scaler_net/</c>) next to the program's assemblies, copied there by the build from the repository's
/// <c>python/</c> folder.
/// </summary>
public static class PythonRunnerScript
{
    public const string RelativePath = "python/scaler_net_runner.py";

    /// <summary>The script's full path, or null when it is not installed (the message says where it was looked for).</summary>
    public static string? Locate(out string lookedIn)
    {
        var candidates = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(PythonRunnerScript).Assembly.Location) }
            .Where(d => !string.IsNullOrEmpty(d))
            .Select(d => Path.GetFullPath(Path.Combine(d!, RelativePath)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        lookedIn = string.Join(", ", candidates);
        return candidates.FirstOrDefault(File.Exists);
    }
}
