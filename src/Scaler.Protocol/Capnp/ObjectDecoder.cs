using System.Buffers.Binary;

namespace Scaler.Protocol.Capnp;

/// <summary>
/// Turns a resolved pointer into a struct or list view: checks the pointer kind, the bounds within the segment, the
/// nesting limit, and charges the traversal budget before anything is read.
/// </summary>
internal static class ObjectDecoder
{
    public static StructReader Struct(ReadOnlySpan<byte> frame, ref long budget, PointerTarget target, int nestingLeft)
    {
        if (WirePointer.Kind(target.Tag) != WirePointer.StructKind)
        {
            throw new ProtocolException(
                $"expected a struct pointer at segment {target.PointerSegment} word {target.PointerWord}, found a list pointer");
        }

        CheckNesting(target, nestingLeft);
        int dataWords = WirePointer.StructDataWords(target.Tag);
        int pointerCount = WirePointer.StructPointerCount(target.Tag);
        CheckBounds(target, dataWords + pointerCount, "struct");
        Charge(ref budget, Math.Max(1, dataWords + pointerCount), target);

        var dataByte = target.Segment.StartByte + (int)(target.StartWord * 8);
        return new StructReader(
            frame, ref budget, target.Segment, dataByte, dataWords * 8, dataByte + (dataWords * 8), pointerCount, nestingLeft - 1);
    }

    public static ListReader List(ReadOnlySpan<byte> frame, ref long budget, PointerTarget target, int nestingLeft)
    {
        if (WirePointer.Kind(target.Tag) != WirePointer.ListKind)
        {
            throw new ProtocolException(
                $"expected a list pointer at segment {target.PointerSegment} word {target.PointerWord}, found a struct pointer");
        }

        CheckNesting(target, nestingLeft);
        var elementSize = WirePointer.ListElementSize(target.Tag);
        var count = WirePointer.ListCount(target.Tag);
        if (elementSize == WirePointer.ElementComposite)
        {
            return Composite(frame, ref budget, target, count, nestingLeft);
        }

        var bits = WirePointer.ElementBits(elementSize);
        var words = ((long)count * bits + 63) / 64;
        CheckBounds(target, words, "list");
        // Void lists carry no bytes yet may claim a huge count: charge per element so they cannot amplify.
        Charge(ref budget, Math.Max(1, bits == 0 ? count : words), target);

        var pointers = elementSize == WirePointer.ElementPointer ? 1 : 0;
        return new ListReader(
            frame, ref budget, target.Segment, target.Segment.StartByte + (int)(target.StartWord * 8), count, bits,
            pointers == 1 ? 0 : bits, pointers, elementSize, nestingLeft - 1);
    }

    private static ListReader Composite(ReadOnlySpan<byte> frame, ref long budget, PointerTarget target, int wordCount, int nestingLeft)
    {
        CheckBounds(target, 1L + wordCount, "composite list");
        var tagByte = target.Segment.StartByte + (int)(target.StartWord * 8);
        var tag = BinaryPrimitives.ReadUInt64LittleEndian(frame.Slice(tagByte, 8));
        if (WirePointer.Kind(tag) != WirePointer.StructKind)
        {
            throw new ProtocolException(
                $"composite list at segment {target.Segment.Index} word {target.StartWord} has a tag word that is not a struct description");
        }

        var count = WirePointer.Offset(tag);
        int dataWords = WirePointer.StructDataWords(tag);
        int pointerCount = WirePointer.StructPointerCount(tag);
        var elementWords = dataWords + pointerCount;
        if (count < 0 || (long)count * elementWords > wordCount)
        {
            throw new ProtocolException(
                $"composite list at segment {target.Segment.Index} word {target.StartWord} declares {count} elements of " +
                $"{elementWords} words, more than its {wordCount} words");
        }

        // Zero-sized elements cost nothing on the wire; charge one word each so a huge count cannot amplify.
        Charge(ref budget, Math.Max(1L, Math.Max(wordCount, count)), target);
        return new ListReader(
            frame, ref budget, target.Segment, tagByte + 8, count, elementWords * 64, dataWords * 64, pointerCount,
            WirePointer.ElementComposite, nestingLeft - 1);
    }

    private static void CheckNesting(PointerTarget target, int nestingLeft)
    {
        if (nestingLeft <= 0)
        {
            throw new ProtocolException(
                $"nesting limit exceeded at segment {target.PointerSegment} word {target.PointerWord} (ReaderOptions.NestingLimit)");
        }
    }

    private static void CheckBounds(PointerTarget target, long words, string what)
    {
        if (target.StartWord < 0 || target.StartWord + words > target.Segment.Words)
        {
            throw new ProtocolException(
                $"{what} pointer at segment {target.PointerSegment} word {target.PointerWord} points outside segment " +
                $"{target.Segment.Index} (offset {target.StartWord}, {words} words, segment size {target.Segment.Words} words)");
        }
    }

    private static void Charge(ref long budget, long words, PointerTarget target)
    {
        budget -= words;
        if (budget < 0)
        {
            throw new ProtocolException(
                $"traversal limit exceeded at segment {target.PointerSegment} word {target.PointerWord}: the message reads " +
                "more words than ReaderOptions.TraversalLimitInWords allows");
        }
    }
}
