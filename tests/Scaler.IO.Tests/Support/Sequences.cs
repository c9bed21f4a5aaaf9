using System.Buffers;

namespace Scaler.IO.Tests.Support;

/// <summary>Builds multi-segment sequences so parsers are tested on headers and bodies split across segments.</summary>
internal static class Sequences
{
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var pieces = new List<byte[]>();
        var start = 0;
        foreach (var cut in cuts.Order())
        {
            pieces.Add(data[start..cut]);
            start = cut;
        }

        pieces.Add(data[start..]);
        return FromPieces(pieces);
    }

    public static ReadOnlySequence<byte> FromPieces(IReadOnlyList<byte[]> pieces)
    {
        if (pieces.Count == 1)
        {
            return new ReadOnlySequence<byte>(pieces[0]);
        }

        var first = new Segment(pieces[0], 0);
        var last = first;
        for (var i = 1; i < pieces.Count; i++)
        {
            last = last.Append(pieces[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>magic + frames, as the reference writes them.</summary>
    public static byte[] Stream(params byte[][] frames)
    {
        var writer = new ArrayBufferWriter<byte>();
        Scaler.IO.Ymq.YmqFrameWriter.WriteMagic(writer);
        foreach (var frame in frames)
        {
            Scaler.IO.Ymq.YmqFrameWriter.WriteFrame(writer, frame);
        }

        return writer.WrittenSpan.ToArray();
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
