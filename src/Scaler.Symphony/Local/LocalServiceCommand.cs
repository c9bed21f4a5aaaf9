namespace Scaler.Symphony.Local;

/// <summary>
/// How the local engine starts one service instance process (SOAM's <c>startCmd</c>). The process speaks the
/// frame channel of <see cref="LocalInstanceHost"/> on its stdin/stdout; stderr is read into the engine's log.
/// </summary>
public sealed record LocalServiceCommand
{
    /// <summary>The hidden sub-command of <c>scaler-cli</c> that hosts a service instance.</summary>
    public const string InstanceSubcommand = "soam-local-instance";

    public LocalServiceCommand(string fileName, IReadOnlyList<string> arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(arguments);
        FileName = fileName;
        Arguments = arguments;
    }

    public string FileName { get; }

    public IReadOnlyList<string> Arguments { get; }

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// <c>scaler-cli soam-local-instance [extra]</c>, found next to the running program: the current process when it
    /// is scaler-cli itself, else the <c>scaler-cli</c> apphost or <c>scaler-cli.dll</c> (run with the dotnet host)
    /// in <see cref="AppContext.BaseDirectory"/>.
    /// </summary>
    public static LocalServiceCommand ScalerCli(params string[] extraArguments)
    {
        ArgumentNullException.ThrowIfNull(extraArguments);
        string[] instance = [InstanceSubcommand, .. extraArguments];
        var processPath = System.Environment.ProcessPath;
        if (processPath is not null && IsProductExecutable(processPath))
        {
            return new LocalServiceCommand(processPath, instance);
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "scaler-cli.dll");
        if (File.Exists(dll))
        {
            return new LocalServiceCommand(DotnetHost(), [dll, .. instance]);
        }

        var apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "scaler-cli.exe" : "scaler-cli");
        if (File.Exists(apphost))
        {
            return new LocalServiceCommand(apphost, instance);
        }

        throw new FileNotFoundException($"scaler-cli was not found in {AppContext.BaseDirectory}; give the local engine a service command");
    }

    // scaler-native is the Native AOT build, which starts the managed scaler-cli next to it for instances (they load code).
    private static bool IsProductExecutable(string processPath) =>
        Path.GetFileNameWithoutExtension(processPath) is var name
        && (name.Equals("scaler-cli", StringComparison.OrdinalIgnoreCase) || name.Equals("scaler-native", StringComparison.OrdinalIgnoreCase));

    private static string DotnetHost()
    {
        var fromSdk = System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var processPath = System.Environment.ProcessPath;
        if (processPath is not null && Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return processPath;
        }

        return "dotnet";
    }
}
