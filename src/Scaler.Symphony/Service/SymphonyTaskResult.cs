using System.Buffers.Binary;
using Scaler.Functions;

namespace Scaler.Symphony.Service;

/// <summary>
/// The output message of a Scaler task run by the Symphony service. Layout: magic "SCLRSYMR" (8 bytes), version
/// u16 (1), status u8 (0 success, 1 failed), then the payload to the end: on success the result object written by
/// the task's serializer, on failure a <see cref="RemoteError"/> payload (exception type, message, stack trace).
/// A user's exception is a failed result, delivered as a successful SOAM output so Symphony never retries it.
/// </summary>
public sealed class SymphonyTaskResult
{
    public const ushort LayoutVersion = 1;

    private const int HeaderLength = 11;

    private static ReadOnlySpan<byte> Magic => "SCLRSYMR"u8;

    private SymphonyTaskResult(bool succeeded, ReadOnlyMemory<byte> payload)
    {
        Succeeded = succeeded;
        Payload = payload;
    }

    public bool Succeeded { get; }

    /// <summary>The result object (success) or the <see cref="RemoteError"/> bytes (failure).</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    public static SymphonyTaskResult Success(ReadOnlyMemory<byte> result) => new(true, result);

    public static SymphonyTaskResult Failure(RemoteError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new SymphonyTaskResult(false, error.ToBytes());
    }

    public static SymphonyTaskResult FromOutcome(TaskOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return new SymphonyTaskResult(outcome.Succeeded, outcome.Payload);
    }

    /// <summary>The failure; throws on a successful result. Never throws for a payload that is not ours.</summary>
    public RemoteError ReadError() => Succeeded
        ? throw new InvalidOperationException("the task succeeded; it has no error")
        : RemoteError.Read(Payload.Span);

    public byte[] Encode()
    {
        var buffer = new byte[HeaderLength + Payload.Length];
        Magic.CopyTo(buffer);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(8), LayoutVersion);
        buffer[10] = Succeeded ? (byte)0 : (byte)1;
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
        if (version != LayoutVersion)
        {
            throw new SymphonyEnvelopeException($"task result layout version {version} is not supported (this reader knows version {LayoutVersion})");
        }

        return span[10] switch
        {
            0 => new SymphonyTaskResult(true, output[HeaderLength..]),
            1 => new SymphonyTaskResult(false, output[HeaderLength..]),
            var status => throw new SymphonyEnvelopeException($"task result has status {status}; expected 0 (success) or 1 (failed)"),
        };
    }
}
