using System.Buffers.Binary;
using Scaler.Protocol;
using Scaler.Protocol.Messages;

namespace Scaler.Worker.Processors;

/// <summary>
/// The worker/processor channel: the processor's stdin and stdout carry frames of a 4-byte little-endian length and
/// one <see cref="MessageCodec"/> message (worker to processor: Task, TaskCancel; processor to worker: TaskResult,
/// TaskCancelConfirm, ProcessorInitialized). Objects never travel here, only their IDs, so frames are small. Both ends
/// are always the same build of <c>scaler-cli</c>, so the layout is private to this file.
/// </summary>
internal static class PipeFrames
{
    /// <summary>Frames above this are refused before anything is allocated.</summary>
    public const int MaxFrameBytes = 16 * 1024 * 1024;

    /// <summary>Buffer of the reading side: a burst of tasks or results in one read.</summary>
    public const int ReadBufferBytes = 64 * 1024;

    private const int HeaderLength = 4;

    public static async ValueTask WriteAsync(Stream stream, IMessage message, CancellationToken cancellationToken)
    {
        var body = MessageCodec.Encode(message);
        var frame = new byte[HeaderLength + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, body.Length);
        body.CopyTo(frame.AsSpan(HeaderLength));
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The next message, or null at a clean end of stream.</summary>
    /// <exception cref="InvalidDataException">Truncated frame, a length over the limit, or bytes that do not decode.</exception>
    public static async ValueTask<IMessage?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderLength];
        var got = await stream.ReadAtLeastAsync(header, HeaderLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            return null;
        }

        if (got < HeaderLength)
        {
            throw new InvalidDataException("processor channel closed in the middle of a frame header");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < 0 || length > MaxFrameBytes)
        {
            throw new InvalidDataException($"processor channel frame of {length} bytes is over the limit of {MaxFrameBytes} bytes");
        }

        var body = new byte[length];
        await stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
        try
        {
            return MessageCodec.Decode(body);
        }
        catch (ProtocolException e)
        {
            throw new InvalidDataException($"processor channel frame does not decode: {e.Message}", e);
        }
    }
}
