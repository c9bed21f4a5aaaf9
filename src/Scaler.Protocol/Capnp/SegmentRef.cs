namespace Scaler.Protocol.Capnp;

/// <summary>Where one segment of a validated message lies in the frame.</summary>
internal readonly record struct SegmentRef(int Index, int StartByte, int Words)
{
    public long EndByte => StartByte + (8L * Words);
}
