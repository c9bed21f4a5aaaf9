using Scaler.IO.Addressing;

namespace Scaler.IO.Tests.Addressing;

public sealed class ScalerAddressTests
{
    [Theory]
    [InlineData("tcp://127.0.0.1:6378", ScalerScheme.Tcp, "127.0.0.1", 6378)]
    [InlineData("tls://10.1.2.3:0", ScalerScheme.Tls, "10.1.2.3", 0)]
    [InlineData("tcp://[::1]:8516", ScalerScheme.Tcp, "::1", 8516)]
    [InlineData("tcp://2001:db8::1:1211", ScalerScheme.Tcp, "2001:db8::1", 1211)]
    [InlineData("tcp://scheduler.example-1.local:65535", ScalerScheme.Tcp, "scheduler.example-1.local", 65535)]
    [InlineData("tcp://0.0.0.0:6378", ScalerScheme.Tcp, "0.0.0.0", 6378)]
    [InlineData("TLS://localhost:1", ScalerScheme.Tls, "localhost", 1)]
    public void Parse_GoodAddress_GivesParts(string text, ScalerScheme scheme, string host, int port)
    {
        var address = ScalerAddress.Parse(text);

        Assert.Equal(scheme, address.Scheme);
        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:6378")]
    [InlineData("tls://[::1]:8516")]
    [InlineData("tcp://some-host:0")]
    public void ToString_RoundTrips(string text)
    {
        var address = ScalerAddress.Parse(text);

        Assert.Equal(text, address.ToString());
        Assert.Equal(address, ScalerAddress.Parse(address.ToString()));
    }

    [Fact]
    public void ToString_UnbracketedIPv6_IsWrittenWithBrackets()
    {
        Assert.Equal("tcp://[2001:db8::1]:1211", ScalerAddress.Parse("tcp://2001:db8::1:1211").ToString());
    }

    [Theory]
    [InlineData("tcp//x", "address 'tcp//x' has no scheme: expected tcp://host:port")]
    [InlineData("udp://127.0.0.1:5", "unsupported scheme 'udp' in address 'udp://127.0.0.1:5': expected tcp or tls")]
    [InlineData("tcp://127.0.0.1:99999", "port '99999' is out of range 0-65535")]
    [InlineData("tcp://127.0.0.1:65536", "port '65536' is out of range 0-65535")]
    [InlineData("tcp://127.0.0.1", "address 'tcp://127.0.0.1' has no port: expected tcp://host:port")]
    [InlineData("tcp://127.0.0.1:", "address 'tcp://127.0.0.1:' has no port: expected tcp://host:port")]
    [InlineData("tcp://host:8x", "port '8x' in address 'tcp://host:8x' is not a number")]
    [InlineData("tcp://host:-1", "port '-1' in address 'tcp://host:-1' is not a number")]
    [InlineData("tcp://:80", "address 'tcp://:80' has no host: expected tcp://host:port")]
    [InlineData("tcp://[::1:80", "address 'tcp://[::1:80' has an unclosed '[' in its host")]
    [InlineData("tcp://[1.2.3.4]:80", "host '[1.2.3.4]' in address 'tcp://[1.2.3.4]:80' is not an IPv6 address")]
    [InlineData("tcp://ho st:80", "host 'ho st' in address 'tcp://ho st:80' is not a valid host name or IP address")]
    [InlineData("", "address is empty: expected tcp://host:port")]
    public void Parse_BadAddress_SaysWhatIsWrong(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => ScalerAddress.Parse(text));
        Assert.Equal(message, error.Message);

        Assert.False(ScalerAddress.TryParse(text, out var address, out var tryError));
        Assert.Null(address);
        Assert.Equal(message, tryError);
    }

    [Fact]
    public void WithPort_ChangesOnlyThePort()
    {
        var address = ScalerAddress.Parse("tls://[::1]:0");

        var bound = address.WithPort(41234);

        Assert.Equal("tls://[::1]:41234", bound.ToString());
        Assert.Equal(0, address.Port);
        Assert.Throws<ArgumentOutOfRangeException>(() => address.WithPort(65536));
    }

    [Fact]
    public void Equality_IsByValue()
    {
        Assert.Equal(ScalerAddress.Parse("tcp://h:1"), ScalerAddress.Create(ScalerScheme.Tcp, "h", 1));
        Assert.NotEqual(ScalerAddress.Parse("tcp://h:1"), ScalerAddress.Parse("tls://h:1"));
    }
}
