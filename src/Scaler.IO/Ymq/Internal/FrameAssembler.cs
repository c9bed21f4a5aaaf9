using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Scaler.IO.Ymq.Internal;

/// <summary>
/// Turns one connection's bytes into frames, holding memory for a frame only as its bytes arrive:
/// <list type="bullet">
/// <item>a frame whose bytes are all in the buffer (the common case) is copied into its array at once;</item>
/// <item>a frame that is not, up to <see cref="SmallFrameBytes"/>, gets its array at its header, as before: at most
/// that much per connection is held ahead of the bytes, and it is not counted;</item>
/// <item>up to <see cref="ArrayFrameMaxBytes"/>, it gets its array at its header too, counted at its declared length
/// against the <see cref="PartialFrameBudget"/> (so at most that much per connection ahead of the bytes, and within
/// the budget);</item>
/// <item>a larger frame goes into a <see cref="NativeFrameBuffer"/> whose pages are backed only as bytes are written,
/// counted in steps of <see cref="ChargeStep"/> as they arrive, copied into its array when complete and given back to
/// the OS at once, complete or not.</item>
/// </list>
/// A charge the budget refuses throws <see cref="YmqProtocolException"/> naming the option, and the connection drops
/// its peer. Used by the connection's receive loop only.
/// </summary>
internal sealed class FrameAssembler
{
    /// <summary>Frames up to this size get their array at the header, uncounted (the pipe's buffer is as large).</summary>
    public const int SmallFrameBytes = 64 * 1024;

    /// <summary>
    /// Frames up to this size get their array at the header, counted against the budget at their declared length. Why
    /// 64 MiB and not less: a frame in native memory is copied into its array when complete, on fresh pages, and that
    /// cost large objects much of their throughput (the figures: docs/transport.md, "Memory"); an array is filled in
    /// place. What an attacker can pin this way is still bounded, by the budget: declared lengths are charged in full.
    /// </summary>
    public const int ArrayFrameMaxBytes = 64 << 20;

    /// <summary>Larger frames are counted as they arrive, this much at a time (two interlocked adds per step).</summary>
    public const int ChargeStep = 1 << 20;

    private readonly long _maxFrameBytes;
    private readonly int _arrayFrameMaxBytes;
    private readonly PartialFrameBudget.Share _share;
    private byte[]? _array;
    private NativeFrameBuffer? _native;
    private int _length;
    private int _filled;
    private long _charged;

    /// <param name="arrayFrameMaxBytes">Tests lower it to exercise native frames with small ones.</param>
    public FrameAssembler(long maxFrameBytes, PartialFrameBudget.Share share, int arrayFrameMaxBytes = ArrayFrameMaxBytes)
    {
        _maxFrameBytes = maxFrameBytes;
        _arrayFrameMaxBytes = arrayFrameMaxBytes;
        _share = share;
    }

    /// <summary>True between a frame's header and its last byte.</summary>
    public bool InProgress => _array is not null || _native is not null;

    /// <summary>Declared length of the frame in progress.</summary>
    public int Length => _length;

    /// <summary>Bytes of the frame in progress still to come.</summary>
    public int Missing => _length - _filled;

    /// <summary>
    /// Consumes bytes of <paramref name="buffer"/> (a header, then the body) and returns true with the frame once it is
    /// complete; false once the buffer is used up without completing one.
    /// </summary>
    public bool TryTake(ref ReadOnlySequence<byte> buffer, [NotNullWhen(true)] out byte[]? frame)
    {
        if (!InProgress)
        {
            if (!YmqFrameReader.TryReadHeader(ref buffer, _maxFrameBytes, out var declared))
            {
                frame = null;
                return false;
            }

            // The length was checked against MaxFrameBytes (<= Array.MaxLength) before anything is allocated.
            if (declared <= buffer.Length)
            {
                frame = declared == 0 ? [] : GC.AllocateUninitializedArray<byte>((int)declared);
                buffer.Slice(0, frame.Length).CopyTo(frame);
                buffer = buffer.Slice(frame.Length);
                return true;
            }

            Begin((int)declared);
        }

        var take = (int)Math.Min(buffer.Length, _length - _filled);
        if (_native is not null)
        {
            Charge(_filled + take);
        }

        buffer.Slice(0, take).CopyTo(Target().Span);
        buffer = buffer.Slice(take);
        _filled += take;
        if (_filled < _length)
        {
            frame = null;
            return false;
        }

        frame = Finish();
        return true;
    }

    /// <summary>Where the next bytes of the frame in progress go when read straight from the stream (counted first).</summary>
    public Memory<byte> DirectReadTarget()
    {
        if (_native is not null)
        {
            Charge(_filled + 1);
            return _native.Memory[_filled..(int)_charged];
        }

        return Target();
    }

    /// <summary><paramref name="count"/> bytes were read into <see cref="DirectReadTarget"/>; true with the frame once it is complete.</summary>
    public bool Advance(int count, [NotNullWhen(true)] out byte[]? frame)
    {
        _filled += count;
        if (_filled < _length)
        {
            frame = null;
            return false;
        }

        frame = Finish();
        return true;
    }

    /// <summary>The connection ended: the frame in progress is dropped, its memory freed and its charge given back.</summary>
    public void Abandon()
    {
        _native?.Free();
        _native = null;
        _array = null;
        _share.Release(_charged);
        _charged = 0;
    }

    private void Begin(int length)
    {
        _length = length;
        _filled = 0;
        if (length <= SmallFrameBytes)
        {
            _array = GC.AllocateUninitializedArray<byte>(length);
        }
        else if (length <= _arrayFrameMaxBytes)
        {
            Charge(length);
            _array = GC.AllocateUninitializedArray<byte>(length);
            _share.Budget.MemoryReturn.Made(length);
        }
        else
        {
            _native = NativeFrameBuffer.Allocate(length);
        }
    }

    private Memory<byte> Target() => _array is not null ? _array.AsMemory(_filled) : _native!.Memory[_filled..];

    /// <summary>Counts the frame in progress up to at least <paramref name="bytes"/>, a step at a time; throws when refused.</summary>
    private void Charge(long bytes)
    {
        if (bytes <= _charged)
        {
            return;
        }

        var target = Math.Min(_length, (bytes + ChargeStep - 1) / ChargeStep * ChargeStep);
        if (_share.TryCharge(target - _charged, _length) is { } refusal)
        {
            throw new YmqProtocolException(refusal);
        }

        _charged = target;
    }

    private byte[] Finish()
    {
        byte[] frame;
        if (_native is not null)
        {
            frame = _native.MoveToArray();
            _native = null;
            _share.Budget.MemoryReturn.Made(frame.Length);
        }
        else
        {
            frame = _array!;
            _array = null;
        }

        _share.Release(_charged);
        _charged = 0;
        return frame;
    }
}
