using System.Buffers.Binary;
using Scaler.Functions;

namespace Scaler.Symphony.Service;

/// <summary>
/// The output message of a Scaler task run by the Symphony service. Layout: magic "SCLRSYMR" (8 bytes), version u16,
/// status u8 (<see cref="SymphonyTaskResultKind"/>), then the payload to the end: on success the result object written
/// by the task's serializer, on failure a <see cref="RemoteError"/> payload (exception type, message, stack trace), on
/// code-missing the SHA-256 of each missing code assembly (32 bytes each).
/// </summary>
/// <remarks>
/// Version 1 has statuses 0 and 1. Version 2 adds status 2 (code missing) and says "this service resolves code by
/// hash"; a service writes it only in answer to an envelope with <see cref="SymphonyEnvelopeFlags.ResolvesCodeByHash"/>
/// (a reader of version 2), so a worker of layout 1 never sees it. A user's exception is a failed result, delivered as
/// a successful SOAM output so Symphony never retries it.
/// </remarks>
public sealed class SymphonyTaskResult
{
    /// <summary>The newest layout this code reads and writes.</summary>
    public const ushort LayoutVersion = 2;

    private const ushort FirstLayoutVersion = 1;
    private const int HeaderLength = 11;
    private const int HashLength = 32;

    private static ReadOnlySpan<byte> Magic => "SCLRSYMR"u8;

    private SymphonyTaskResult(SymphonyTaskResultKind kind, ReadOnlyMemory<byte> payload, ushort version)
    {
        Kind = kind;
        Payload = payload;
        Version = version;
    }

    public SymphonyTaskResultKind Kind { get; }

    public bool Succeeded => Kind == SymphonyTaskResultKind.Success;

    /// <summary>The layout version this result was read with (or will be written with).</summary>
    public ushort Version { get; }

    /// <summary>The result object (success), the <see cref="RemoteError"/> bytes (failure) or the missing hashes.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    public static SymphonyTaskResult Success(ReadOnlyMemory<byte> result) => new(SymphonyTaskResultKind.Success, result, FirstLayoutVersion);

    public static SymphonyTaskResult Failure(RemoteError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new SymphonyTaskResult(SymphonyTaskResultKind.Failed, error.ToBytes(), FirstLayoutVersion);
    }

    /// <summary>A failed result whose payload is already an error in the client's format (a pickled exception for a Python task).</summary>
    public static SymphonyTaskResult Failure(ReadOnlyMemory<byte> errorPayload) =>
        new(SymphonyTaskResultKind.Failed, errorPayload, LayoutVersion);

    public static SymphonyTaskResult FromOutcome(TaskOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return new SymphonyTaskResult(outcome.Succeeded ? SymphonyTaskResultKind.Success : SymphonyTaskResultKind.Failed, outcome.Payload, FirstLayoutVersion);
    }

    /// <summary>The service lacks these code assemblies (layout 2).</summary>
    public static SymphonyTaskResult CodeMissing(IReadOnlyCollection<CodeAssemblyReference> missing)
    {
        ArgumentNullException.ThrowIfNull(missing);
        if (missing.Count == 0)
        {
            throw new ArgumentException("a code-missing result names at least one assembly", nameof(missing));
        }

        var payload = new byte[missing.Count * HashLength];
        var at = 0;
        foreach (var reference in missing)
        {
            reference.Sha256().CopyTo(payload.AsSpan(at));
            at += HashLength;
        }

        return new SymphonyTaskResult(SymphonyTaskResultKind.CodeMissing, payload, LayoutVersion);
    }

    /// <summary>The same result, to be written in layout <paramref name="version"/> (1 or 2).</summary>
    public SymphonyTaskResult WithVersion(ushort version)
    {
        if (version is < FirstLayoutVersion or > LayoutVersion)
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, $"result layouts are {FirstLayoutVersion}..{LayoutVersion}");
        }

        if (Kind == SymphonyTaskResultKind.CodeMissing && version < 2)
        {
            throw new InvalidOperationException("a code-missing result needs result layout 2");
        }

        return new SymphonyTaskResult(Kind, Payload, version);
    }

    /// <summary>The failure; throws on a result that is not a failure. Never throws for a payload that is not ours.</summary>
    public RemoteError ReadError() => Kind == SymphonyTaskResultKind.Failed
        ? RemoteError.Read(Payload.Span)
        : throw new InvalidOperationException($"the result is {Kind}; it has no error");

    /// <summary>The SHA-256 (lower-case hex) of each missing assembly of a code-missing result.</summary>
    public IReadOnlyList<string> ReadMissingCode()
    {
        if (Kind != SymphonyTaskResultKind.CodeMissing)
        {
            throw new InvalidOperationException($"the result is {Kind}, not {SymphonyTaskResultKind.CodeMissing}");
        }

        var span = Payload.Span;
        var hashes = new string[span.Length / HashLength];
        for (var i = 0; i < hashes.Length; i++)
        {
            hashes[i] = Convert.ToHexStringLower(span.Slice(i * HashLength, HashLength));
        }

        return hashes;
    }

    public byte[] Encode()
    {
        var buffer = new byte[HeaderLength + Payload.Length];
        Magic.CopyTo(buffer);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(8), Version);
        buffer[10] = (byte)Kind;
        Payload.Span.CopyTo(buffer.AsSpan(HeaderLength));
        return buffer;
    }

    public static SymphonyTaskResult Decode(ReadOnlyMemory<byte> output)
    {
        var span = output.Span;
        if (span.Length < HeaderLength || !span[..8].SequenceEqual(Magic))
        {
            throw new SymphonyEnvelopeException("not a Scaler task result (the magic 'SCLRSYMR' is missing)");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(span[8..]);
        if (version is < FirstLayoutVersion or > LayoutVersion)
        {
            throw new SymphonyEnvelopeException(
                $"task result layout version {version} is not supported (this reader knows versions {FirstLayoutVersion} to {LayoutVersion})");
        }

        var payload = output[HeaderLength..];
        return span[10] switch
        {
            0 => new SymphonyTaskResult(SymphonyTaskResultKind.Success, payload, version),
            1 => new SymphonyTaskResult(SymphonyTaskResultKind.Failed, payload, version),
            2 when version >= 2 && payload.Length > 0 && payload.Length % HashLength == 0 =>
                new SymphonyTaskResult(SymphonyTaskResultKind.CodeMissing, payload, version),
            2 => throw new SymphonyEnvelopeException(
                $"task result of layout {version} has status 2 (code missing) with {payload.Length} payload bytes; it needs layout 2 and a whole number of 32-byte hashes"),
            var status => throw new SymphonyEnvelopeException($"task result has status {status}; expected 0 (success), 1 (failed) or 2 (code missing)"),
        };
    }
}
