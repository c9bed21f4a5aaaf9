namespace Scaler.Protocol;

/// <summary>
/// Limits applied while reading a message from a peer. Every violation raises <see cref="ProtocolException"/>.
/// </summary>
public sealed record ReaderOptions
{
    /// <summary>The limits used when the caller passes none.</summary>
    public static ReaderOptions Default { get; } = new();

    /// <summary>
    /// How many 8-byte words the reader may visit in one message (64 MiB by default). Every struct and list read
    /// charges its size (at least one word), so a message whose pointers point at the same bytes many times, or in a
    /// loop, runs out of budget instead of amplifying.
    /// </summary>
    public long TraversalLimitInWords { get; init; } = 8L * 1024 * 1024;

    /// <summary>How deep structs and lists may nest.</summary>
    public int NestingLimit { get; init; } = 64;

    /// <summary>How many segments a message may have.</summary>
    public int MaxSegments { get; init; } = 512;
}
