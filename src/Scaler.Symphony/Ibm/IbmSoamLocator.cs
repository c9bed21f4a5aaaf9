namespace Scaler.Symphony.Ibm;

/// <summary>
/// Finds IBM's SOAM .NET assembly: an explicit path (the file, or a directory to search), else under
/// <c>SOAM_HOME</c> (searched recursively, lib64 and lib folders first). File names tried, in order:
/// <c>Platform.Symphony.Soam.Net.dll</c> (the name in IBM's .NET references), <c>Platform.Symphony.Soam.NetCore.dll</c>
/// (a guess for the .NET Core build on Linux, unverified), then any <c>Platform.Symphony.Soam*.dll</c>.
/// </summary>
public static class IbmSoamLocator
{
    public const string SoamHomeVariable = "SOAM_HOME";

    public const string AssemblyFileName = "Platform.Symphony.Soam.Net.dll";

    private static readonly string[] PreferredNames = [AssemblyFileName, "Platform.Symphony.Soam.NetCore.dll"];

    /// <summary>The assembly's path, or null with <paramref name="reason"/> saying where it looked.</summary>
    public static string? Locate(string? libraryPath, string? soamHome, out string reason)
    {
        if (!string.IsNullOrEmpty(libraryPath))
        {
            if (File.Exists(libraryPath))
            {
                reason = $"library path {libraryPath}";
                return Path.GetFullPath(libraryPath);
            }

            if (Directory.Exists(libraryPath))
            {
                var found = Search(libraryPath);
                reason = found is null ? $"no {AssemblyFileName} under library path {libraryPath}" : $"library path {libraryPath}";
                return found;
            }

            reason = $"library path {libraryPath} does not exist";
            return null;
        }

        if (string.IsNullOrEmpty(soamHome))
        {
            reason = $"{SoamHomeVariable} is not set and no library path was given";
            return null;
        }

        if (!Directory.Exists(soamHome))
        {
            reason = $"{SoamHomeVariable}={soamHome} is not a directory";
            return null;
        }

        var path = Search(soamHome);
        reason = path is null ? $"no {AssemblyFileName} under {SoamHomeVariable}={soamHome}" : $"{SoamHomeVariable}={soamHome}";
        return path;
    }

    private static string? Search(string root)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 6, IgnoreInaccessible = true };
        var candidates = Directory.EnumerateFiles(root, "Platform.Symphony.Soam*.dll", options)
            .OrderBy(p => Array.FindIndex(PreferredNames, n => string.Equals(Path.GetFileName(p), n, StringComparison.OrdinalIgnoreCase)) is var i and >= 0 ? i : PreferredNames.Length)
            .ThenBy(p => p.Contains("lib64", StringComparison.Ordinal) ? 0 : p.Contains("lib", StringComparison.Ordinal) ? 1 : 2)
            .ThenBy(p => p.Length)
            .ThenBy(p => p, StringComparer.Ordinal);
        return candidates.FirstOrDefault();
    }
}
