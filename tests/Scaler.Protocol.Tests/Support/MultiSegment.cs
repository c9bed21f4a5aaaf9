using System.Buffers.Binary;

namespace Scaler.Protocol.Tests.Support;

/// <summary>
/// Re-lays a single-segment message so that every object (struct or list) lives in its own segment, reached through
/// far pointers; alternately single-far (landing pad just before the object) and double-far (two-word landing pad
/// in a segment of its own). `capnp encode` only writes single-segment messages, so this is how multi-segment input
/// is made; the tests check with `capnp decode` that the official tool reads the result unchanged.
/// </summary>
internal sealed class MultiSegment
{
    private readonly ulong[] _source;
    private readonly List<List<ulong>> _segments = [];
    private int _objects;

    private MultiSegment(byte[] message)
    {
        var count = BinaryPrimitives.ReadUInt32LittleEndian(message) + 1;
        if (count != 1)
        {
            throw new ArgumentException("expected a single-segment message", nameof(message));
        }

        var words = (int)BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(4));
        _source = new ulong[words];
        for (var i = 0; i < words; i++)
        {
            _source[i] = BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(8 + (8 * i)));
        }
    }

    public static byte[] Split(byte[] message)
    {
        var splitter = new MultiSegment(message);
        splitter._segments.Add([0]);
        splitter.Copy(0, 0, 0);
        return splitter.Serialize();
    }

    private void Copy(int sourcePointer, int segment, int word)
    {
        var pointer = _source[sourcePointer];
        if (pointer == 0)
        {
            return;
        }

        var target = sourcePointer + 1 + ((int)(uint)pointer >> 2);
        var single = _objects++ % 2 == 0;
        var content = new List<ulong>();
        if (single)
        {
            content.Add(0); // landing pad, filled below
        }

        var contentSegment = _segments.Count;
        _segments.Add(content);
        var start = content.Count;
        ulong tag;
        if ((pointer & 3) == 0)
        {
            var dataWords = (int)(ushort)(pointer >> 32);
            var pointers = (int)(ushort)(pointer >> 48);
            tag = pointer & 0xFFFF_FFFF_0000_0000ul;
            if (dataWords + pointers == 0)
            {
                tag |= 0xFFFF_FFFCul; // offset -1 keeps an empty struct distinguishable from null
            }

            CopyWords(target, dataWords, content);
            content.AddRange(new ulong[pointers]);
            for (var i = 0; i < pointers; i++)
            {
                Copy(target + dataWords + i, contentSegment, start + dataWords + i);
            }
        }
        else
        {
            tag = pointer & 0xFFFF_FFFF_0000_0000ul | 1;
            var elementSize = (int)((pointer >> 32) & 7);
            var count = (int)(pointer >> 35);
            if (elementSize == 7)
            {
                var header = _source[target];
                var dataWords = (int)(ushort)(header >> 32);
                var pointers = (int)(ushort)(header >> 48);
                var elements = (int)(uint)header >> 2;
                content.Add(header);
                for (var e = 0; e < elements; e++)
                {
                    var from = target + 1 + (e * (dataWords + pointers));
                    var to = content.Count;
                    CopyWords(from, dataWords, content);
                    content.AddRange(new ulong[pointers]);
                    for (var i = 0; i < pointers; i++)
                    {
                        Copy(from + dataWords + i, contentSegment, to + dataWords + i);
                    }
                }
            }
            else if (elementSize == 6)
            {
                content.AddRange(new ulong[count]);
                for (var i = 0; i < count; i++)
                {
                    Copy(target + i, contentSegment, start + i);
                }
            }
            else
            {
                var bits = elementSize switch { 0 => 0, 1 => 1, 2 => 8, 3 => 16, 4 => 32, _ => 64 };
                CopyWords(target, (int)(((long)count * bits + 63) / 64), content);
            }
        }

        if (content.Count == 0)
        {
            // The C++ reader treats a zero-length segment as missing, so give empty objects a padding word.
            content.Add(0);
        }

        if (single)
        {
            content[0] = tag; // offset 0: the object starts right after the pad
            _segments[segment][word] = Far(contentSegment, 0, doubleFar: false);
        }
        else
        {
            var padSegment = _segments.Count;
            _segments.Add([Far(contentSegment, start, doubleFar: false), tag & ~0xFFFF_FFFCul]);
            _segments[segment][word] = Far(padSegment, 0, doubleFar: true);
        }
    }

    private void CopyWords(int from, int count, List<ulong> to)
    {
        for (var i = 0; i < count; i++)
        {
            to.Add(_source[from + i]);
        }
    }

    private static ulong Far(int segment, int padWord, bool doubleFar) =>
        ((ulong)(uint)segment << 32) | ((ulong)(uint)padWord << 3) | (doubleFar ? 4ul : 0ul) | 2;

    private byte[] Serialize()
    {
        var header = ((4 + (4 * _segments.Count)) + 7) & ~7;
        var output = new byte[header + (8 * _segments.Sum(s => s.Count))];
        BinaryPrimitives.WriteUInt32LittleEndian(output, (uint)_segments.Count - 1);
        var offset = header;
        for (var s = 0; s < _segments.Count; s++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(4 + (4 * s)), (uint)_segments[s].Count);
            foreach (var word in _segments[s])
            {
                BinaryPrimitives.WriteUInt64LittleEndian(output.AsSpan(offset), word);
                offset += 8;
            }
        }

        return output;
    }
}
