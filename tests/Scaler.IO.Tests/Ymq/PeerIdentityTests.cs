using Scaler.IO.Ymq;

namespace Scaler.IO.Tests.Ymq;

public sealed class PeerIdentityTests
{
    [Fact]
    public void Equality_IsByBytes()
    {
        var a = PeerIdentity.FromString("Client|abc");
        var b = new PeerIdentity("Client|abc"u8);

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, PeerIdentity.FromString("Client|abd"));
        Assert.NotEqual(a, default);
    }

    [Fact]
    public void Constructor_CopiesTheBytes()
    {
        byte[] bytes = [65, 66];
        var identity = new PeerIdentity(bytes);

        bytes[0] = 67;

        Assert.Equal("AB", identity.ToString());
    }

    [Fact]
    public void ToString_PrintableUtf8_IsText_OtherwiseHex()
    {
        Assert.Equal("23342|scheduler|2c23", PeerIdentity.FromString("23342|scheduler|2c23").ToString());
        Assert.Equal("Wörker", PeerIdentity.FromString("Wörker").ToString());
        Assert.Equal("0xFF00", new PeerIdentity([0xFF, 0x00]).ToString());
        Assert.Equal("0x410A", new PeerIdentity([0x41, 0x0A]).ToString());
        Assert.Equal(string.Empty, default(PeerIdentity).ToString());
    }
}
