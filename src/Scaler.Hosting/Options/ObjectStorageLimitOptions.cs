using System.Globalization;
using Scaler.Hosting.Configuration;
using Scaler.IO.Ymq;

namespace Scaler.Hosting.Options;

/// <summary>
/// What an object storage server may hold (ours; the reference has a fixed 6 TB per object and no total): TOML group
/// <c>object_storage_limits</c> (its keys directly in the section or in <c>[section.object_storage_limits]</c>), in
/// <c>[object_storage_server]</c> and, for its embedded object storage, <c>[scheduler]</c>. docs/object-storage.md
/// explains them.
/// </summary>
/// <param name="MaxObjectBytes">Largest object accepted.</param>
/// <param name="MaxTotalBytes">Bytes the store may hold; 0 means half of the memory available to the process.</param>
public sealed record ObjectStorageLimitOptions(long MaxObjectBytes, long MaxTotalBytes)
{
    public const long DefaultMaxObjectBytes = 1L << 30;

    public static ObjectStorageLimitOptions Default { get; } = new(DefaultMaxObjectBytes, 0);

    internal static readonly OptionSpec<long> MaxObjectBytesSpec = new(
        "max_object_bytes",
        OptionTypes.Int64,
        "largest object the object storage accepts, in bytes; a larger set is refused with this limit as the reason")
    {
        Default = DefaultMaxObjectBytes,
        Validate = value => value >= 0 && value <= YmqOptions.MaxSupportedFrameBytes
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"must be from 0 to {YmqOptions.MaxSupportedFrameBytes}, got {value}"),
    };

    internal static readonly OptionSpec<long> MaxTotalBytesSpec = new(
        "max_total_bytes",
        OptionTypes.Int64,
        "bytes the object storage may hold (contents plus 128 per object); a set past it is refused as store full " +
        "(0: half of the memory available to the process)")
    {
        Default = 0,
        Validate = Rules.NotNegative,
    };

    public static OptionGroup Group { get; } = new("object_storage_limits", [MaxObjectBytesSpec, MaxTotalBytesSpec]);

    internal static ObjectStorageLimitOptions From(OptionValues values) =>
        new(values.Get(MaxObjectBytesSpec), values.Get(MaxTotalBytesSpec));
}
