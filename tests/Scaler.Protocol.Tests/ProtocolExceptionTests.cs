namespace Scaler.Protocol.Tests;

public sealed class ProtocolExceptionTests
{
    [Fact]
    public void Constructor_KeepsMessage()
    {
        var error = new ProtocolException("segment table truncated");
        Assert.Equal("segment table truncated", error.Message);
    }
}
