using System.Text;

namespace Scaler.Functions.Tests;

public sealed class SerializerDescriptorTests
{
    [Fact]
    public void DefaultSerializerObject_RoundTripsAndIsReadableAscii()
    {
        var bytes = SerializerDescriptor.For(MessagePackScalerSerializer.Instance).ToBytes();
        var text = Encoding.ASCII.GetString(bytes);

        Assert.StartsWith("SCALER.NET/SERIALIZER 1\nformat=msgpack\nformat-version=1\nlibrary=MessagePack 2.5.", text, StringComparison.Ordinal);
        Assert.True(SerializerDescriptor.TryParse(bytes, out var parsed));
        Assert.Equal("msgpack", parsed.FormatId);
        Assert.Equal(1, parsed.FormatVersion);
        Assert.StartsWith("MessagePack 2.5.", parsed.LibraryVersion, StringComparison.Ordinal);
        Assert.StartsWith(".NET ", parsed.RuntimeVersion, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKeys_AreIgnored()
    {
        var bytes = Encoding.ASCII.GetBytes("SCALER.NET/SERIALIZER 1\nformat=custom\nformat-version=3\ncompression=none\n");

        Assert.True(SerializerDescriptor.TryParse(bytes, out var parsed));
        Assert.Equal("custom", parsed.FormatId);
        Assert.Equal(3, parsed.FormatVersion);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x05, 0x95 })]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x53, 0x43, 0x41 })]
    public void ForeignBytes_AreNotParsed(byte[] bytes) => Assert.False(SerializerDescriptor.TryParse(bytes, out _));

    [Theory]
    [InlineData("SCALER.NET/SERIALIZER 2\nformat=msgpack\nformat-version=1\n")]
    [InlineData("SCALER.NET/SERIALIZER 1\nformat-version=1\n")]
    [InlineData("SCALER.NET/SERIALIZER 1\nformat=MsgPack!\nformat-version=1\n")]
    [InlineData("SCALER.NET/SERIALIZER 1\nformat=msgpack\nformat-version=x\n")]
    public void HeadersThatAreIncompleteOrOfAnotherLayout_AreNotParsed(string text) =>
        Assert.False(SerializerDescriptor.TryParse(Encoding.ASCII.GetBytes(text), out _));

    [Fact]
    public void OverlongObject_IsNotParsed()
    {
        var text = "SCALER.NET/SERIALIZER 1\nformat=msgpack\nformat-version=1\npad=" + new string('x', SerializerDescriptor.MaxLength);

        Assert.False(SerializerDescriptor.TryParse(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void InvalidFormatId_IsRejectedWhenRegistering()
    {
        var registry = new SerializerRegistry();

        Assert.Throws<ArgumentException>(() => new SerializerDescriptor("Has Space", 1, "", ""));
        Assert.Empty(registry.FormatIds);
    }
}
