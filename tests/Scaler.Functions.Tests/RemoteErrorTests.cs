using System.Text;
using System.Text.Json;

namespace Scaler.Functions.Tests;

public sealed class RemoteErrorTests
{
    [Fact]
    public void Payload_RoundTripsWithInnerErrors()
    {
        var error = new RemoteError("A.Outer", "outer \"quoted\"\nline", "at A.Run()", [new RemoteError("B.Inner", "inner", "at B.Go()")]);

        Assert.True(RemoteError.TryParse(error.ToBytes(), out var parsed));

        Assert.Equal("A.Outer", parsed.TypeName);
        Assert.Equal("outer \"quoted\"\nline", parsed.Message);
        Assert.Equal("at A.Run()", parsed.StackTrace);
        var inner = Assert.Single(parsed.InnerErrors);
        Assert.Equal("B.Inner", inner.TypeName);
        Assert.Equal("at B.Go()", inner.StackTrace);
    }

    [Fact]
    public void Payload_IsDocumentedJson()
    {
        var bytes = new RemoteError("T", "m", "s").ToBytes();

        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        Assert.Equal("scaler.net/error", root.GetProperty("format").GetString());
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal("T", root.GetProperty("type").GetString());
        Assert.Equal("m", root.GetProperty("message").GetString());
        Assert.Equal("s", root.GetProperty("stackTrace").GetString());
        Assert.Equal(0, root.GetProperty("inner").GetArrayLength());
    }

    [Fact]
    public void AggregateException_KeepsEveryInnerException()
    {
        var error = RemoteError.FromException(new AggregateException(new InvalidOperationException("a"), new ArgumentException("b")));

        Assert.Equal(["System.InvalidOperationException", "System.ArgumentException"], error.InnerErrors.Select(e => e.TypeName));
    }

    [Fact]
    public void PicklePayload_IsReadAsAnErrorThatSaysSo()
    {
        var error = RemoteError.Read(new byte[] { 0x80, 0x04, 0x95, 0x01 });

        Assert.False(RemoteError.TryParse(new byte[] { 0x80, 0x04, 0x95, 0x01 }, out _));
        Assert.Contains("pickled Python exception", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"format\":\"other\",\"version\":1,\"type\":\"T\",\"message\":\"m\"}")]
    [InlineData("{\"format\":\"scaler.net/error\",\"version\":2,\"type\":\"T\",\"message\":\"m\"}")]
    [InlineData("{\"format\":\"scaler.net/error\",\"version\":1,\"message\":\"m\"}")]
    [InlineData("{\"format\":\"scaler.net/error\",\"version\":1,")]
    public void OtherJson_IsNotParsed(string json) => Assert.False(RemoteError.TryParse(Encoding.UTF8.GetBytes(json), out _));

    [Fact]
    public void TaskFailedException_CarriesTheRemoteParts()
    {
        var exception = new RemoteError("X.Boom", "it broke", "at X.Run() in x.cs:line 3").ToException();

        Assert.Equal("X.Boom", exception.RemoteTypeName);
        Assert.Equal("it broke", exception.RemoteMessage);
        Assert.Equal("at X.Run() in x.cs:line 3", exception.RemoteStackTrace);
        Assert.Contains("at X.Run()", exception.ToString(), StringComparison.Ordinal);
    }
}
