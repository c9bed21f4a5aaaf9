using System.CommandLine;

namespace Scaler.Hosting.CommandLine;

/// <summary>The <c>--config/-c FILE</c> option every tool takes.</summary>
internal static class ConfigFileOption
{
    public static Option<string> Create() => new("--config", "-c")
    {
        Description = "TOML configuration file; command-line options override its values",
        HelpName = "FILE",
    };
}
