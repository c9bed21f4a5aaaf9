using System.Buffers;
using System.Runtime.InteropServices;

namespace Scaler.IO.Ymq.Internal;

/// <summary>
/// The body of a large frame while it arrives, in memory outside the GC heap that goes back to the operating system the
/// moment the frame is complete or its peer is dropped. On Linux it is an anonymous private mapping of the declared
/// length: the kernel backs a page only when bytes are written to it, so resident memory follows the bytes received
/// however much the peer declared, and <c>munmap</c> returns it at once. (Arrays on the GC heap were kept resident
/// after they died until several full collections had passed: docs/transport.md, "Memory".) Elsewhere it is
/// <see cref="NativeMemory"/>, freed explicitly as well.
/// Only the receive loop that owns it touches it, and it disposes it after its last read into it has completed.
/// </summary>
internal sealed unsafe partial class NativeFrameBuffer : MemoryManager<byte>
{
    private const int ProtRead = 0x1;
    private const int ProtWrite = 0x2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;

    /// <summary>Reserve no swap for the whole length up front: only pages written to are ever backed.</summary>
    private const int MapNoReserve = 0x4000;

    private readonly int _length;
    private readonly bool _mapped;
    private byte* _pointer;

    private NativeFrameBuffer(byte* pointer, int length, bool mapped)
    {
        _pointer = pointer;
        _length = length;
        _mapped = mapped;
    }

    public int Length => _length;

    /// <summary>
    /// Reserves <paramref name="length"/> bytes (positive). When the OS refuses, throws <see cref="YmqProtocolException"/>:
    /// the peer that declared the frame is dropped, as for a frame over a limit.
    /// </summary>
    public static NativeFrameBuffer Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        if (OperatingSystem.IsLinux())
        {
            var address = Mmap(0, (nuint)length, ProtRead | ProtWrite, MapPrivate | MapAnonymous | MapNoReserve, -1, 0);
            if (address == -1)
            {
                throw new YmqProtocolException($"could not reserve {length} bytes for a frame (mmap failed, errno {Marshal.GetLastPInvokeError()})");
            }

            return new NativeFrameBuffer((byte*)address, length, mapped: true);
        }

        return new NativeFrameBuffer((byte*)NativeMemory.Alloc((nuint)length), length, mapped: false);
    }

    /// <summary>Copies the whole frame into a new array (the frame the consumer owns) and frees this buffer.</summary>
    public byte[] MoveToArray()
    {
        var frame = GC.AllocateUninitializedArray<byte>(_length);
        GetSpan().CopyTo(frame);
        Free();
        return frame;
    }

    /// <summary>Gives the memory back to the OS (idempotent); nothing may read or write it afterwards.</summary>
    public void Free() => ((IDisposable)this).Dispose();

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_pointer is null, this);
        return new Span<byte>(_pointer, _length);
    }

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(_pointer is null, this);
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
        return new MemoryHandle(_pointer + elementIndex);
    }

    public override void Unpin()
    {
        // Native memory never moves.
    }

    protected override void Dispose(bool disposing)
    {
        var pointer = _pointer;
        _pointer = null;
        if (pointer is null)
        {
            return;
        }

        if (_mapped)
        {
            _ = Munmap((nint)pointer, (nuint)_length);
        }
        else
        {
            NativeMemory.Free(pointer);
        }
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Munmap(nint address, nuint length);
}
