using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Scaler.IO.Ymq;
using Scaler.IO.Ymq.Internal;

namespace Scaler.IO.Tests.Ymq;

/// <summary>Frames are assembled with memory that follows the bytes received, within the partial-frame budget.</summary>
public sealed class FrameAssemblerTests
{
    private static readonly LargeFrameMemoryReturn NoReturn = new(new FakeTimeProvider(), () => 0);

    private static readonly IPEndPoint Peer = new(IPAddress.Loopback, 5000);
    private const int TestArrayFrameMaxBytes = 2 << 20;

    [Fact]
    public void FramesWhollyInTheBuffer_AreTakenAtOnce_AndChargeNothing()
    {
        var (assembler, budget) = Create(limit: 1);
        var buffer = new ReadOnlySequence<byte>([.. Frame([1, 2, 3]), .. Frame([]), .. Frame([4])]);

        Assert.True(assembler.TryTake(ref buffer, out var first));
        Assert.True(assembler.TryTake(ref buffer, out var empty));
        Assert.True(assembler.TryTake(ref buffer, out var last));
        Assert.False(assembler.TryTake(ref buffer, out _));

        Assert.Equal(new byte[] { 1, 2, 3 }, first);
        Assert.Empty(empty);
        Assert.Equal(new byte[] { 4 }, last);
        Assert.Equal(0, budget.Held);
        Assert.False(assembler.InProgress);
    }

    [Fact]
    public void SmallFrameSplitAcrossReads_IsAssembledUncharged()
    {
        var (assembler, budget) = Create(limit: 1);
        var bytes = Frame(Pattern(1000));

        var part = new ReadOnlySequence<byte>(bytes[..300]);
        Assert.False(assembler.TryTake(ref part, out _));
        Assert.True(assembler.InProgress);
        Assert.Equal(0, budget.Held);
        part = new ReadOnlySequence<byte>(bytes[300..]);
        Assert.True(assembler.TryTake(ref part, out var frame));

        Assert.Equal(Pattern(1000), frame);
    }

    [Fact]
    public void MediumFrame_IsChargedItsLengthAtTheHeader_AndReleasedWhenComplete()
    {
        var (assembler, budget) = Create(limit: 10 << 20);
        var length = FrameAssembler.SmallFrameBytes + 100;
        var bytes = Frame(Pattern(length));

        var part = new ReadOnlySequence<byte>(bytes[..1000]);
        Assert.False(assembler.TryTake(ref part, out _));
        Assert.Equal(length, budget.Held);
        part = new ReadOnlySequence<byte>(bytes[1000..]);
        Assert.True(assembler.TryTake(ref part, out var frame));

        Assert.Equal(Pattern(length), frame);
        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public void LargeFrame_IsChargedAsItsBytesArrive_NotAtItsDeclaredLength()
    {
        var (assembler, budget) = Create(limit: 100 << 20);
        var length = 5 * FrameAssembler.ChargeStep + 7;
        var bytes = Frame(Pattern(length));

        // The header and 10 bytes: one step is charged, not 5 MiB.
        var part = new ReadOnlySequence<byte>(bytes[..18]);
        Assert.False(assembler.TryTake(ref part, out _));
        Assert.Equal(FrameAssembler.ChargeStep, budget.Held);

        // Two and a half steps' worth, then the rest through direct reads.
        part = new ReadOnlySequence<byte>(bytes[18..(8 + (FrameAssembler.ChargeStep * 5 / 2))]);
        Assert.False(assembler.TryTake(ref part, out _));
        Assert.Equal(3 * FrameAssembler.ChargeStep, budget.Held);

        byte[]? frame = null;
        var offset = 8 + (FrameAssembler.ChargeStep * 5 / 2);
        while (frame is null)
        {
            var target = assembler.DirectReadTarget();
            var count = Math.Min(target.Length, bytes.Length - offset);
            bytes.AsSpan(offset, count).CopyTo(target.Span);
            offset += count;
            Assert.True(budget.Held <= Math.Min(length, (offset / FrameAssembler.ChargeStep + 1) * FrameAssembler.ChargeStep));
            assembler.Advance(count, out frame);
        }

        Assert.Equal(Pattern(length), frame);
        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public void LargeFramesMade_AreToldToTheMemoryReturn_WhichCollectsOnceTheyStop()
    {
        var clock = new FakeTimeProvider();
        var collections = 0;
        var budget = new PartialFrameBudget(1 << 30, 1 << 30, new LargeFrameMemoryReturn(clock, () => ++collections * 0));
        var assembler = new FrameAssembler(YmqOptions.MaxSupportedFrameBytes, budget.Join(Peer));
        var bytes = Frame(Pattern((int)LargeFrameMemoryReturn.ThresholdBytes));

        var first = new ReadOnlySequence<byte>(bytes[..100]);
        Assert.False(assembler.TryTake(ref first, out _));
        var rest = new ReadOnlySequence<byte>(bytes[100..]);
        Assert.True(assembler.TryTake(ref rest, out _));
        for (var i = 0; i < 60; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(LargeFrameMemoryReturn.MinCollections, collections);
    }

    [Fact]
    public void LargeFrameOverTheBudget_IsRefusedNamingTheOption_AndAbandonGivesEverythingBack()
    {
        var (assembler, budget) = Create(limit: 2 * FrameAssembler.ChargeStep);
        var bytes = Frame(Pattern(4 * FrameAssembler.ChargeStep));

        var part = new ReadOnlySequence<byte>(bytes[..(8 + FrameAssembler.ChargeStep + 10)]);
        Assert.False(assembler.TryTake(ref part, out _));
        Assert.Equal(2 * FrameAssembler.ChargeStep, budget.Held);

        part = new ReadOnlySequence<byte>(bytes[(8 + FrameAssembler.ChargeStep + 10)..(8 + 3 * FrameAssembler.ChargeStep)]);
        var error = Assert.Throws<YmqProtocolException>(() => assembler.TryTake(ref part, out _));
        Assert.Contains("MaxPartialFrameBytes", error.Message, StringComparison.Ordinal);

        assembler.Abandon();
        Assert.Equal(0, budget.Held);
        Assert.False(assembler.InProgress);
    }

    [Fact]
    public void FrameDeclaredOverMaxFrameBytes_IsRefusedAtItsHeader()
    {
        var budget = new PartialFrameBudget(1 << 30, 1 << 30, NoReturn);
        var assembler = new FrameAssembler(maxFrameBytes: 1000, budget.Join(Peer));
        var header = new ReadOnlySequence<byte>(Header(1001));

        var error = Assert.Throws<YmqProtocolException>(() => assembler.TryTake(ref header, out _));

        Assert.Contains("YmqOptions.MaxFrameBytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, budget.Held);
    }

    private static (FrameAssembler Assembler, PartialFrameBudget Budget) Create(long limit)
    {
        // Native frames from 2 MiB on, so that their tests need not move 64 MiB.
        var budget = new PartialFrameBudget(limit, limit, NoReturn);
        return (new FrameAssembler(YmqOptions.MaxSupportedFrameBytes, budget.Join(Peer), arrayFrameMaxBytes: TestArrayFrameMaxBytes), budget);
    }

    private static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + 7);
        }

        return bytes;
    }

    private static byte[] Header(long length)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(header, length);
        return header;
    }

    private static byte[] Frame(byte[] payload) => [.. Header(payload.Length), .. payload];
}
