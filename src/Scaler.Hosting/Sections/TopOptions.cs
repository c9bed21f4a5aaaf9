using Scaler.Hosting.Configuration;
using Scaler.Hosting.Options;

namespace Scaler.Hosting.Sections;

/// <summary>Options of <c>scaler_top</c>; TOML section <c>[top]</c>.</summary>
public sealed record TopOptions(string MonitorAddress, TimeSpan Timeout, SecurityOptions Security)
{
    private static readonly OptionSpec<string> MonitorAddressSpec = new(
        "monitor_address", OptionTypes.Address, "scheduler monitor address to connect to")
    {
        Positional = true,
        Required = true,
    };

    private static readonly OptionSpec<TimeSpan> TimeoutSpec = new("timeout", OptionTypes.Seconds, "timeout in seconds")
    {
        ShortAlias = "-t",
        Default = TimeSpan.FromSeconds(5),
        Validate = Rules.PositiveDuration,
    };

    public static ConfigSection<TopOptions> Section { get; } = new(
        "top",
        [MonitorAddressSpec, TimeoutSpec],
        [SecurityOptions.Group],
        values => new TopOptions(values.Get(MonitorAddressSpec), values.Get(TimeoutSpec), SecurityOptions.From(values)));
}
