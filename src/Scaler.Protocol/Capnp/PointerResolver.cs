using System.Buffers.Binary;

namespace Scaler.Protocol.Capnp;

/// <summary>Follows a pointer word, including far and double-far pointers, to the object it designates.</summary>
internal static class PointerResolver
{
    /// <summary>Returns false for a null pointer.</summary>
    public static bool TryResolve(ReadOnlySpan<byte> frame, SegmentRef segment, int pointerWord, out PointerTarget target)
    {
        var word = ReadWord(frame, segment, pointerWord);
        if (word == 0)
        {
            target = default;
            return false;
        }

        switch (WirePointer.Kind(word))
        {
            case WirePointer.FarKind:
                target = FollowFar(frame, segment, pointerWord, word);
                return true;
            case WirePointer.OtherKind:
                throw new ProtocolException(
                    $"capability pointer at segment {segment.Index} word {pointerWord}: capabilities are not supported");
            default:
                target = new PointerTarget(word, segment, pointerWord + 1L + WirePointer.Offset(word), segment.Index, pointerWord);
                return true;
        }
    }

    private static PointerTarget FollowFar(ReadOnlySpan<byte> frame, SegmentRef segment, int pointerWord, ulong word)
    {
        var padSegment = SegmentOf(frame, WirePointer.FarSegment(word), segment, pointerWord);
        long padWord = WirePointer.FarPadWord(word);
        var padWords = WirePointer.FarIsDouble(word) ? 2 : 1;
        if (padWord + padWords > padSegment.Words)
        {
            throw new ProtocolException(
                $"far pointer at segment {segment.Index} word {pointerWord} lands outside segment {padSegment.Index} " +
                $"(landing pad at word {padWord}, segment size {padSegment.Words} words)");
        }

        var pad = ReadWord(frame, padSegment, (int)padWord);
        if (!WirePointer.FarIsDouble(word))
        {
            if (WirePointer.Kind(pad) is WirePointer.FarKind or WirePointer.OtherKind)
            {
                throw new ProtocolException(
                    $"far pointer at segment {segment.Index} word {pointerWord} lands on a word that is not a struct or list pointer");
            }

            return new PointerTarget(pad, padSegment, padWord + 1 + WirePointer.Offset(pad), segment.Index, pointerWord);
        }

        var tag = ReadWord(frame, padSegment, (int)padWord + 1);
        if (WirePointer.Kind(pad) != WirePointer.FarKind || WirePointer.FarIsDouble(pad)
            || WirePointer.Kind(tag) is WirePointer.FarKind or WirePointer.OtherKind)
        {
            throw new ProtocolException(
                $"double-far pointer at segment {segment.Index} word {pointerWord} has a malformed landing pad");
        }

        var contentSegment = SegmentOf(frame, WirePointer.FarSegment(pad), padSegment, (int)padWord);
        return new PointerTarget(tag, contentSegment, WirePointer.FarPadWord(pad), segment.Index, pointerWord);
    }

    private static SegmentRef SegmentOf(ReadOnlySpan<byte> frame, uint index, SegmentRef from, int pointerWord)
    {
        var count = SegmentTable.Count(frame);
        if (index >= (uint)count)
        {
            throw new ProtocolException(
                $"far pointer at segment {from.Index} word {pointerWord} refers to segment {index}, the message has {count} segments");
        }

        var (start, words) = SegmentTable.Locate(frame, (int)index);
        return new SegmentRef((int)index, start, words);
    }

    public static ulong ReadWord(ReadOnlySpan<byte> frame, SegmentRef segment, int word) =>
        BinaryPrimitives.ReadUInt64LittleEndian(frame.Slice(segment.StartByte + (8 * word), 8));
}
