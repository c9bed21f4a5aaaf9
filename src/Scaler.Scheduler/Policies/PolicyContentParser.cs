using Scaler.Scheduler.Policies.Allocation;
using Scaler.Scheduler.Policies.Scaling;

namespace Scaler.Scheduler.Policies;

/// <summary>
/// Parses <c>--policy-engine-type</c> and <c>--policy-content</c>. The content is <c>key=value</c> items separated by
/// <c>;</c>, in any order, with whitespace around items, keys and values ignored, and an empty item (a trailing
/// <c>;</c>) allowed. Both <c>allocate</c> and <c>scaling</c> are required. Unlike the reference, which silently drops
/// an item with no <c>=</c>, every malformed item is an error, so a typo never falls back to a surprise.
/// </summary>
internal static class PolicyContentParser
{
    private const string AllocateKey = "allocate";
    private const string ScalingKey = "scaling";

    private static readonly (string Name, PolicyEngineType Value)[] EngineTypes =
    [
        ("simple", PolicyEngineType.Simple),
        ("waterfall_v1", PolicyEngineType.WaterfallV1),
    ];

    private static readonly (string Name, AllocationPolicyKind Value)[] AllocationPolicies =
    [
        ("even_load", AllocationPolicyKind.EvenLoad),
        ("capability", AllocationPolicyKind.Capability),
    ];

    private static readonly (string Name, ScalingPolicyKind Value)[] ScalingPolicies =
    [
        ("no", ScalingPolicyKind.No),
        ("vanilla", ScalingPolicyKind.Vanilla),
        ("capability", ScalingPolicyKind.Capability),
    ];

    public static PolicyContent Parse(string engineType, string content)
    {
        ArgumentNullException.ThrowIfNull(engineType);
        ArgumentNullException.ThrowIfNull(content);

        var engine = Lookup(EngineTypes, engineType.Trim(), "policy engine type");
        if (engine != PolicyEngineType.Simple)
        {
            throw new PolicyContentException(
                $"policy engine type '{engineType.Trim()}' is not supported yet; supported: simple");
        }

        string? allocate = null;
        string? scaling = null;
        foreach (var rawItem in content.Split(';'))
        {
            var item = rawItem.Trim();
            if (item.Length == 0)
            {
                continue;
            }

            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                throw new PolicyContentException(
                    $"policy content item '{item}' is not of the form key=value (content: '{content}')");
            }

            var key = item[..equals].Trim();
            var value = item[(equals + 1)..].Trim();
            if (key.Length == 0 || value.Length == 0)
            {
                throw new PolicyContentException(
                    $"policy content item '{item}' needs both a key and a value (content: '{content}')");
            }

            switch (key)
            {
                case AllocateKey:
                    allocate = allocate is null ? value : throw Duplicate(key);
                    break;
                case ScalingKey:
                    scaling = scaling is null ? value : throw Duplicate(key);
                    break;
                default:
                    throw new PolicyContentException(
                        $"unknown policy key '{key}'; known: {AllocateKey}, {ScalingKey}");
            }
        }

        if (allocate is null || scaling is null)
        {
            var missing = allocate is null ? AllocateKey : ScalingKey;
            throw new PolicyContentException(
                $"policy content needs the key '{missing}' (expected e.g. '{PolicyContent.DefaultContent}', got '{content}')");
        }

        return new PolicyContent(
            engine,
            Lookup(AllocationPolicies, allocate, "allocate policy"),
            Lookup(ScalingPolicies, scaling, "scaling policy"));
    }

    private static PolicyContentException Duplicate(string key) => new($"policy key '{key}' is given more than once");

    private static T Lookup<T>((string Name, T Value)[] table, string name, string what)
    {
        foreach (var (known, value) in table)
        {
            if (string.Equals(known, name, StringComparison.Ordinal))
            {
                return value;
            }
        }

        var names = string.Join(", ", table.Select(entry => entry.Name));
        throw new PolicyContentException($"unknown {what} '{name}'; known: {names}");
    }
}
