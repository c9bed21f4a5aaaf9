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
            ReadErrors.WrongKind(target, "struct", "list");
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
            ReadErrors.WrongKind(target, "list", "struct");
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
            ReadErrors.NestingExceeded(target);
        }
    }

    private static void CheckBounds(PointerTarget target, long words, string what)
    {
        if (target.StartWord < 0 || target.StartWord + words > target.Segment.Words)
        {
            ReadErrors.OutOfBounds(target, words, what);
        }
    }

    private static void Charge(ref long budget, long words, PointerTarget target)
    {
        budget -= words;
        if (budget < 0)
        {
            ReadErrors.TraversalExceeded(target);
        }
    }
}
