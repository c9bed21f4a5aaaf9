using Scaler.Hosting.Configuration;
using Scaler.Hosting.Options;

namespace Scaler.Hosting.Sections;

/// <summary>Options of <c>scaler_object_storage_server</c>; TOML section <c>[object_storage_server]</c>.</summary>
public sealed record ObjectStorageServerOptions(
    string BindAddress,
    string Identity,
    LoggingOptions Logging,
    SecurityOptions Security)
{
    /// <summary>Limits on what peers may hold (the <c>transport</c> group).</summary>
    public TransportOptions Transport { get; init; } = TransportOptions.Default;

    /// <summary>Largest object and bytes held in all (the <c>object_storage_limits</c> group).</summary>
    public ObjectStorageLimitOptions Limits { get; init; } = ObjectStorageLimitOptions.Default;

    public const string DefaultIdentity = "ObjectStorageServer";

    private static readonly OptionSpec<string> BindAddressSpec = new(
        "bind_address",
        OptionTypes.Address,
        "address to listen on, e.g. tcp://127.0.0.1:2345")
    {
        Positional = true,
        Required = true,
    };

    private static readonly OptionSpec<string> IdentitySpec = new("identity", OptionTypes.String, "identity of this server")
    {
        Default = DefaultIdentity,
        Validate = Rules.NotEmpty,
    };

    public static ConfigSection<ObjectStorageServerOptions> Section { get; } = new(
        "object_storage_server",
        [BindAddressSpec, IdentitySpec],
        [LoggingOptions.Group, SecurityOptions.Group, TransportOptions.Group, ObjectStorageLimitOptions.Group],
        values => new ObjectStorageServerOptions(
            values.Get(BindAddressSpec),
            values.Get(IdentitySpec),
            LoggingOptions.From(values),
            SecurityOptions.From(values))
        {
            Transport = TransportOptions.From(values),
            Limits = ObjectStorageLimitOptions.From(values),
        });
}
