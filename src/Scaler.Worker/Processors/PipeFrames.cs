using System.Buffers.Binary;
using Scaler.Protocol;
using Scaler.Protocol.Messages;

namespace Scaler.Worker.Processors;

/// <summary>
/// The worker/processor channel: the processor's stdin and stdout carry frames of a 4-byte little-endian body length,
/// one <see cref="PipeFrameKind"/> byte and one <see cref="MessageCodec"/> message (Task, TaskResult,
/// ProcessorInitialized). Objects never travel here, only their IDs, so frames are small. Both ends are always the same
/// build of <c>scaler-cli</c>, so the layout is private to this file.
/// </summary>
internal static class PipeFrames
{
    /// <summary>Frames above this are refused before anything is allocated.</summary>
    public const int MaxFrameBytes = 16 * 1024 * 1024;

    /// <summary>Buffer of the reading side: a task frame and its hints, or a burst of results, in one read.</summary>
    public const int ReadBufferBytes = 64 * 1024;

    private const int HeaderLength = 5;

    /// <summary>Writes the frames in one write and one flush (a task and the hints that follow it cost one syscall).</summary>
    public static async ValueTask WriteAsync(Stream stream, IReadOnlyList<PipeFrame> frames, CancellationToken cancellationToken)
    {
        var bodies = new byte[frames.Count][];
        var total = 0;
        for (var i = 0; i < frames.Count; i++)
        {
            bodies[i] = MessageCodec.Encode(frames[i].Message);
            total += HeaderLength + bodies[i].Length;
        }

        var buffer = new byte[total];
        var at = 0;
        for (var i = 0; i < frames.Count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(at), bodies[i].Length);
            buffer[at + 4] = (byte)frames[i].Kind;
            bodies[i].CopyTo(buffer.AsSpan(at + HeaderLength));
            at += HeaderLength + bodies[i].Length;
        }

        await stream.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public static ValueTask WriteAsync(Stream stream, IMessage message, CancellationToken cancellationToken) =>
        WriteAsync(stream, [new PipeFrame(PipeFrameKind.Message, message)], cancellationToken);

    /// <summary>The next frame, or null at a clean end of stream.</summary>
    /// <exception cref="InvalidDataException">Truncated frame, a length over the limit, an unknown kind, or bytes that do not decode.</exception>
    public static async ValueTask<PipeFrame?> ReadAsync(Stream stream, CancellationToken cancellationToken)
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

        var kind = (PipeFrameKind)header[4];
        if (kind is not (PipeFrameKind.Message or PipeFrameKind.PrefetchHint))
        {
            throw new InvalidDataException($"processor channel frame has an unknown kind {header[4]}");
        }

        var body = new byte[length];
        await stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
        try
        {
            return new PipeFrame(kind, MessageCodec.Decode(body));
        }
        catch (ProtocolException e)
        {
            throw new InvalidDataException($"processor channel frame does not decode: {e.Message}", e);
        }
    }
}

/// <summary>What a frame on the processor channel asks for.</summary>
internal enum PipeFrameKind : byte
{
    /// <summary>A message to act on: a Task to run, or the processor's TaskResult / ProcessorInitialized.</summary>
    Message = 0,

    /// <summary>
    /// A Task the worker expects to hand over soon: the processor starts fetching its objects now, so they are ready
    /// when the task comes. A hint is never run; a hint for a task that never comes only costs the fetch.
    /// </summary>
    PrefetchHint = 1,
}

internal readonly record struct PipeFrame(PipeFrameKind Kind, IMessage Message);
