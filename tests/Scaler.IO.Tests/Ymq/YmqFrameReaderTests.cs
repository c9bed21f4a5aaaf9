using System.Buffers;
using Scaler.IO.Tests.Support;
using Scaler.IO.Ymq;

namespace Scaler.IO.Tests.Ymq;

public sealed class YmqFrameReaderTests
{
    private static readonly byte[] Identity = "Client|abc"u8.ToArray();
    private static readonly byte[] Body = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

    [Fact]
    public void Stream_SplitAtEveryByteBoundary_ParsesTheSameFrames()
    {
        var data = Sequences.Stream(Identity, [], Body);

        for (var cut = 0; cut <= data.Length; cut++)
        {
            var frames = ParseIncrementally(Sequences.Split(data, cut), data.Length);
            Assert.Equal(3, frames.Count);
            Assert.Equal(Identity, frames[0]);
            Assert.Empty(frames[1]);
            Assert.Equal(Body, frames[2]);
        }
    }

    [Fact]
    public void Stream_OneByteSegments_ParsesAllFrames()
    {
        var data = Sequences.Stream(Identity, Body);
        var oneByte = Enumerable.Range(1, data.Length - 1).ToArray();

        var frames = ParseIncrementally(Sequences.Split(data, oneByte), data.Length);

        Assert.Equal([Identity, Body], frames);
    }

    [Fact]
    public void TryReadHeader_HeaderSplitAcrossThreeSegments_ReadsLittleEndianLength()
    {
        byte[] header = [0x10, 0x02, 0, 0, 0, 0, 0, 0];
        var buffer = Sequences.Split(header, 3, 5);

        Assert.True(YmqFrameReader.TryReadHeader(ref buffer, long.MaxValue, out var length));

        Assert.Equal(0x0210, length);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void TryReadFrame_IncompleteHeaderOrBody_NeedsMoreAndConsumesNothing()
    {
        var data = Sequences.Stream(Body)[4..];
        for (var length = 0; length < data.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(data, 0, length);
            Assert.False(YmqFrameReader.TryReadFrame(ref buffer, 1024, out _));
            Assert.Equal(length, buffer.Length);
        }
    }

    [Fact]
    public void TryReadFrame_EmptyFrame_GivesEmptyPayload()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[8]);

        Assert.True(YmqFrameReader.TryReadFrame(ref buffer, 0, out var payload));

        Assert.Equal(0, payload.Length);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void TryReadFrame_LengthOverLimit_ThrowsBeforeTheBodyArrives()
    {
        // Only the header is here: the limit must be checked without waiting for 1001 body bytes.
        byte[] header = [0xE9, 0x03, 0, 0, 0, 0, 0, 0];
        var buffer = new ReadOnlySequence<byte>(header);

        var error = Assert.Throws<YmqProtocolException>(() => YmqFrameReader.TryReadFrame(ref buffer, 1000, out _));

        Assert.Contains("1001 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("limit of 1000 bytes (YmqOptions.MaxFrameBytes)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadHeader_LengthAboveInt64_IsRejectedAsOverLimit()
    {
        var buffer = new ReadOnlySequence<byte>(Enumerable.Repeat((byte)0xFF, 8).ToArray());

        var error = Assert.Throws<YmqProtocolException>(() => YmqFrameReader.TryReadHeader(ref buffer, long.MaxValue, out _));

        Assert.Contains("18446744073709551615", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadFrame_LengthAtLimit_IsAccepted()
    {
        var data = Sequences.Stream(Body)[4..];
        var buffer = new ReadOnlySequence<byte>(data);

        Assert.True(YmqFrameReader.TryReadFrame(ref buffer, Body.Length, out var payload));

        Assert.Equal(Body, payload.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { (byte)'Y', (byte)'M', (byte)'Q', 2 })]
    [InlineData(new byte[] { (byte)'G', (byte)'E', (byte)'T', (byte)' ' })]
    [InlineData(new byte[] { 0, 0, 0, 0 })]
    public void TryReadMagic_WrongBytes_Throws(byte[] magic)
    {
        var buffer = Sequences.Split(magic, 2);

        var error = Assert.Throws<YmqProtocolException>(() => YmqFrameReader.TryReadMagic(ref buffer));

        Assert.Contains(Convert.ToHexString(magic), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadMagic_ThreeBytes_NeedsMore()
    {
        var buffer = new ReadOnlySequence<byte>("YMQ"u8.ToArray());

        Assert.False(YmqFrameReader.TryReadMagic(ref buffer));
        Assert.Equal(3, buffer.Length);
    }

    [Fact]
    public void WriteFrame_WritesLittleEndianLengthThenPayload()
    {
        var writer = new ArrayBufferWriter<byte>();

        YmqFrameWriter.WriteFrame(writer, [0xAA, 0xBB, 0xCC]);

        Assert.Equal(new byte[] { 3, 0, 0, 0, 0, 0, 0, 0, 0xAA, 0xBB, 0xCC }, writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void WriteFrame_LargePayload_RoundTrips()
    {
        var payload = new byte[200_000];
        new Random(7).NextBytes(payload);
        var writer = new ArrayBufferWriter<byte>();

        YmqFrameWriter.WriteFrame(writer, payload);
        var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);

        Assert.True(YmqFrameReader.TryReadFrame(ref buffer, payload.Length, out var read));
        Assert.Equal(payload, read.ToArray());
    }

    /// <summary>Feeds the parser growing prefixes of the stream, as a pipe would, and collects the frames.</summary>
    private static List<byte[]> ParseIncrementally(ReadOnlySequence<byte> whole, int totalLength)
    {
        var frames = new List<byte[]>();
        var consumed = 0L;
        var magicRead = false;
        for (var available = 0; available <= totalLength; available++)
        {
            var buffer = whole.Slice(consumed, available - consumed);
            if (!magicRead)
            {
                magicRead = YmqFrameReader.TryReadMagic(ref buffer);
            }

            while (magicRead && YmqFrameReader.TryReadFrame(ref buffer, 1 << 20, out var payload))
            {
                frames.Add(payload.ToArray());
            }

            consumed = whole.GetOffset(buffer.Start);
        }

        return frames;
    }
}
