namespace Scaler.Symphony.Service;

/// <summary>Limits a decoder checks before it trusts a count or length from an envelope.</summary>
public sealed record SymphonyEnvelopeLimits
{
    public static SymphonyEnvelopeLimits Default { get; } = new();

    /// <summary>Largest whole envelope accepted.</summary>
    public int MaxEnvelopeBytes { get; init; } = int.MaxValue;

    public int MaxArguments { get; init; } = 4096;

    public int MaxCodeAssemblies { get; init; } = 1024;

    public int MaxSections { get; init; } = 8192;
}
