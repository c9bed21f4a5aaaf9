using System.Diagnostics.CodeAnalysis;

namespace Scaler.Protocol.Capnp;

/// <summary>
/// The reader's errors. Kept out of the hot methods so that those stay small enough to inline: building an
/// interpolated message inline would bloat every bounds check.
/// </summary>
internal static class ReadErrors
{
    [DoesNotReturn]
    public static void WrongKind(PointerTarget target, string expected, string found) =>
        throw new ProtocolException(
            $"expected a {expected} pointer at segment {target.PointerSegment} word {target.PointerWord}, found a {found} pointer");

    [DoesNotReturn]
    public static void NestingExceeded(PointerTarget target) =>
        throw new ProtocolException(
            $"nesting limit exceeded at segment {target.PointerSegment} word {target.PointerWord} (ReaderOptions.NestingLimit)");

    [DoesNotReturn]
    public static void OutOfBounds(PointerTarget target, long words, string what) =>
        throw new ProtocolException(
            $"{what} pointer at segment {target.PointerSegment} word {target.PointerWord} points outside segment " +
            $"{target.Segment.Index} (offset {target.StartWord}, {words} words, segment size {target.Segment.Words} words)");

    [DoesNotReturn]
    public static void TraversalExceeded(PointerTarget target) =>
        throw new ProtocolException(
            $"traversal limit exceeded at segment {target.PointerSegment} word {target.PointerWord}: the message reads " +
            "more words than ReaderOptions.TraversalLimitInWords allows");

    [DoesNotReturn]
    public static void CapabilityPointer(SegmentRef segment, int pointerWord) =>
        throw new ProtocolException(
            $"capability pointer at segment {segment.Index} word {pointerWord}: capabilities are not supported");

    [DoesNotReturn]
    public static void NotBytes(string what, SegmentRef segment, int byteOffset, int elementSize) =>
        throw new ProtocolException(
            $"{what} at segment {segment.Index} byte {byteOffset} is not a list of bytes (element size code {elementSize})");

    [DoesNotReturn]
    public static void TextNotTerminated(SegmentRef segment, int byteOffset) =>
        throw new ProtocolException($"Text at segment {segment.Index} byte {byteOffset} is not NUL-terminated");

    [DoesNotReturn]
    public static void WrongElements(SegmentRef segment, int byteOffset, string found, string expected) =>
        throw new ProtocolException($"{found} at segment {segment.Index} byte {byteOffset} cannot be read as {expected}");

    [DoesNotReturn]
    public static void ElementsExceedBudget(SegmentRef segment, int byteOffset, int count) =>
        throw new ProtocolException(
            $"traversal limit exceeded by the {count} elements of the list at segment {segment.Index} byte {byteOffset} " +
            "(ReaderOptions.TraversalLimitInWords)");

    [DoesNotReturn]
    public static void IndexOutOfRange(int index, int count) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"the list has {count} elements");
}
