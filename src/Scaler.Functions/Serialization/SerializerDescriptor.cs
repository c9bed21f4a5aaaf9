using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Scaler.Functions;

/// <summary>
/// The content of the per-client "serializer" object: which format (and which version of it) every function,
/// argument and result object of that client is written in. The bytes are short ASCII text so that they can be read
/// in a hex dump and never look like a pickle:
/// <code>
/// SCALER.NET/SERIALIZER 1\n
/// format=msgpack\n
/// format-version=1\n
/// library=MessagePack 2.5.307\n
/// runtime=.NET 10.0.0\n
/// </code>
/// Unknown keys are ignored so later versions can add lines.
/// </summary>
public sealed class SerializerDescriptor
{
    /// <summary>The first bytes of every serializer object written by Scaler.NET.</summary>
    public const string Magic = "SCALER.NET/SERIALIZER";

    /// <summary>Version of the header layout (not of the format it names).</summary>
    public const int LayoutVersion = 1;

    /// <summary>Serializer objects longer than this are not ours; nothing past it is read.</summary>
    public const int MaxLength = 4096;

    private const int MaxFormatIdLength = 64;

    private static readonly byte[] MagicPrefix = Encoding.ASCII.GetBytes(Magic + " ");

    public SerializerDescriptor(string formatId, int formatVersion, string libraryVersion, string runtimeVersion)
    {
        ValidateFormatId(formatId);
        ArgumentOutOfRangeException.ThrowIfNegative(formatVersion);
        FormatId = formatId;
        FormatVersion = formatVersion;
        LibraryVersion = Sanitize(libraryVersion);
        RuntimeVersion = Sanitize(runtimeVersion);
    }

    public string FormatId { get; }

    public int FormatVersion { get; }

    public string LibraryVersion { get; }

    public string RuntimeVersion { get; }

    public static SerializerDescriptor For(IScalerSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        return new SerializerDescriptor(
            serializer.FormatId, serializer.FormatVersion, serializer.LibraryVersion, ".NET " + Environment.Version);
    }

    public byte[] ToBytes()
    {
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"{Magic} {LayoutVersion}\nformat={FormatId}\nformat-version={FormatVersion}\nlibrary={LibraryVersion}\nruntime={RuntimeVersion}\n");
        return Encoding.ASCII.GetBytes(text);
    }

    /// <summary>Recognises a serializer object written by Scaler.NET; false for anything else (a pickle, garbage).</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out SerializerDescriptor? descriptor)
    {
        descriptor = null;
        if (bytes.Length > MaxLength || !bytes.StartsWith(MagicPrefix))
        {
            return false;
        }

        foreach (var b in bytes)
        {
            if (b != (byte)'\n' && (b < 0x20 || b > 0x7E))
            {
                return false;
            }
        }

        var lines = Encoding.ASCII.GetString(bytes).Split('\n');
        if (!int.TryParse(lines[0].AsSpan(Magic.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var layout)
            || layout != LayoutVersion)
        {
            return false;
        }

        string? format = null, library = null, runtime = null;
        int? formatVersion = null;
        foreach (var line in lines.AsSpan(1))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var value = line[(equals + 1)..];
            switch (line[..equals])
            {
                case "format":
                    format = value;
                    break;
                case "format-version":
                    formatVersion = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
                    break;
                case "library":
                    library = value;
                    break;
                case "runtime":
                    runtime = value;
                    break;
            }
        }

        if (format is null || formatVersion is null || !IsValidFormatId(format))
        {
            return false;
        }

        descriptor = new SerializerDescriptor(format, formatVersion.Value, library ?? "", runtime ?? "");
        return true;
    }

    /// <summary>A short guess at what a serializer object that is not ours is, for error messages.</summary>
    internal static string DescribeForeign(ReadOnlySpan<byte> bytes)
    {
        // Pickle protocol 2+ opens with PROTO (0x80) followed by the protocol number.
        if (bytes.Length >= 2 && bytes[0] == 0x80 && bytes[1] is >= 2 and <= 5)
        {
            return "looks like a Python cloudpickle serializer";
        }

        if (bytes.IsEmpty)
        {
            return "the serializer object is empty";
        }

        var head = Convert.ToHexString(bytes[..Math.Min(bytes.Length, 8)]);
        return $"not a Scaler.NET serializer object; it starts with 0x{head}";
    }

    internal static void ValidateFormatId(string formatId)
    {
        ArgumentNullException.ThrowIfNull(formatId);
        if (!IsValidFormatId(formatId))
        {
            throw new ArgumentException(
                $"format id '{formatId}' must be 1 to {MaxFormatIdLength} characters of a-z, 0-9, '.', '-' or '_'",
                nameof(formatId));
        }
    }

    private static bool IsValidFormatId(string formatId) =>
        formatId.Length is > 0 and <= MaxFormatIdLength
        && formatId.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_');

    private static string Sanitize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var chars = text.Select(c => c is >= ' ' and <= '~' ? c : '?').Take(200).ToArray();
        return new string(chars);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{FormatId} v{FormatVersion} ({LibraryVersion}, {RuntimeVersion})");
}
