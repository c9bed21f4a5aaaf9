using System.Diagnostics;
using System.Reflection;

namespace Scaler.Worker.Hosting;

/// <summary>
/// How to start the product executable (<c>scaler-cli</c>) with a sub-command: its apphost, or <c>dotnet scaler-cli.dll</c>.
/// Worker managers start workers with it and workers start processors with it.
/// </summary>
public sealed record ProcessLauncher(string FileName, IReadOnlyList<string> LeadingArguments)
{
    public const string ExecutableName = "scaler-cli";

    /// <summary>The native (Native AOT) build of the same program, installed next to <see cref="ExecutableName"/> (docs/cold-start.md).</summary>
    public const string NativeExecutableName = "scaler-native";

    /// <summary>Whether <paramref name="path"/> names the product executable, managed or native.</summary>
    public static bool IsProductExecutable(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        return name == ExecutableName || name == NativeExecutableName;
    }

    /// <summary>
    /// The running <c>scaler-cli</c> (or <c>scaler-native</c>, which hands sub-commands that load code to the managed
    /// build) when this process is it; otherwise a <c>scaler-cli.dll</c> next to this assembly
    /// (tests reference the CLI project, which copies it), started with the running <c>dotnet</c>.
    /// </summary>
    public static ProcessLauncher ForCurrentProcess()
    {
        var processPath = Environment.ProcessPath;
        if (processPath is not null && IsProductExecutable(processPath))
        {
            return new ProcessLauncher(processPath, []);
        }

        var entry = Assembly.GetEntryAssembly()?.Location;
        if (!string.IsNullOrEmpty(entry) && Path.GetFileNameWithoutExtension(entry) == ExecutableName)
        {
            return ForDll(entry);
        }

        var beside = Path.Combine(AppContext.BaseDirectory, ExecutableName + ".dll");
        if (File.Exists(beside))
        {
            return ForDll(beside);
        }

        throw new FileNotFoundException($"cannot find {ExecutableName} to start worker processes (looked next to {AppContext.BaseDirectory})");
    }

    /// <summary>Runs <paramref name="dllPath"/> with the dotnet host this process runs on.</summary>
    public static ProcessLauncher ForDll(string dllPath)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(host))
        {
            var processPath = Environment.ProcessPath;
            host = processPath is not null && Path.GetFileNameWithoutExtension(processPath) == "dotnet" ? processPath : "dotnet";
        }

        return new ProcessLauncher(host, [dllPath]);
    }

    /// <summary>
    /// A start info with the leading arguments, then <paramref name="arguments"/>; no shell, streams inherited. The
    /// child is marked as this process's (<see cref="ParentProcess"/>), so it stops when this process is gone.
    /// </summary>
    public ProcessStartInfo CreateStartInfo(IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var info = new ProcessStartInfo(FileName) { UseShellExecute = false };
        ParentProcess.Mark(info);
        foreach (var argument in LeadingArguments.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }
}
