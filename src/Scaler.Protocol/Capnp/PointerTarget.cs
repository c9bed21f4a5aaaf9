namespace Scaler.Protocol.Capnp;

/// <summary>
/// A pointer after far pointers were followed: the word that describes the object (struct or list pointer), the
/// segment that holds the object, and the word index of the object's first word in that segment.
/// </summary>
internal readonly record struct PointerTarget(ulong Tag, SegmentRef Segment, long StartWord, int PointerSegment, int PointerWord);
