using Scaler.Hosting.Configuration;

namespace Scaler.Hosting.Sections;

/// <summary>The scheduler's policy engine: <c>--policy-engine-type/-et</c> and <c>--policy-content/-pc</c>.</summary>
public sealed record SchedulerPolicyOptions(string EngineType, string Content)
{
    public const string DefaultEngineType = "simple";
    public const string DefaultContent = "allocate=even_load; scaling=vanilla";

    internal static readonly OptionSpec<string> EngineTypeSpec = new(
        "policy_engine_type",
        OptionTypes.String,
        "policy engine type")
    {
        ShortAlias = "-et",
        Default = DefaultEngineType,
    };

    internal static readonly OptionSpec<string> ContentSpec = new(
        "policy_content",
        OptionTypes.String,
        "policy string of the form 'allocate=VALUE; scaling=VALUE'")
    {
        ShortAlias = "-pc",
        Default = DefaultContent,
    };

    public static OptionGroup Group { get; } = new("policy", [EngineTypeSpec, ContentSpec]);

    internal static SchedulerPolicyOptions From(OptionValues values) =>
        new(values.Get(EngineTypeSpec), values.Get(ContentSpec));
}
