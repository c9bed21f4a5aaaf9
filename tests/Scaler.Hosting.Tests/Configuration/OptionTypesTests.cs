using Scaler.Hosting.Configuration;

namespace Scaler.Hosting.Tests.Configuration;

public sealed class OptionTypesTests
{
    [Theory]
    [InlineData("tcp://127.0.0.1:2345")]
    [InlineData("tls://example.com:443")]
    [InlineData("ipc:///tmp/scaler.sock")]
    [InlineData("inproc://scheduler")]
    [InlineData("ws://host:80/path")]
    public void Address_ValidForms_AreAccepted(string text)
    {
        Assert.Null(AddressSyntax.ValidateLocally(text));
    }

    [Theory]
    [InlineData("tcp://host")]
    [InlineData("tcp://:1")]
    [InlineData("tcp://host:1/path")]
    [InlineData("host:1")]
    [InlineData("ipc://")]
    public void Address_InvalidForms_AreRejected(string text)
    {
        Assert.NotNull(AddressSyntax.ValidateLocally(text));
    }

    [Fact]
    public void UInt32_NegativeToml_IsRejected()
    {
        Assert.Throws<FormatException>(() => OptionTypes.UInt32.FromToml(-1L));
        Assert.Equal(5u, OptionTypes.UInt32.FromToml(5L));
    }

    [Fact]
    public void Double_AcceptsTomlIntegersAndFloats()
    {
        Assert.Equal(2.0, OptionTypes.Double.FromToml(2L));
        Assert.Equal(0.5, OptionTypes.Double.FromToml(0.5));
        Assert.Equal(0.5, OptionTypes.Double.ParseTokens(["0.5"]));
        Assert.Throws<FormatException>(() => OptionTypes.Double.ParseTokens(["half"]));
    }

    [Fact]
    public void Choice_MatchesIgnoringCaseAndFormatsCanonically()
    {
        var type = OptionTypes.Choice(("fixed", 1), ("dynamic", 2));

        Assert.Equal(1, type.ParseTokens(["FIXED"]));
        Assert.Equal("dynamic", type.Format(2));
        Assert.Throws<FormatException>(() => type.ParseTokens(["static"]));
    }

    [Fact]
    public void Capabilities_ParsesNamesAndAmounts()
    {
        var capabilities = OptionTypes.Capabilities.ParseTokens(["linux, cpu=4"]);

        Assert.Equal(-1, capabilities["linux"]);
        Assert.Equal(4, capabilities["cpu"]);
        Assert.Equal("linux,cpu=4", OptionTypes.Capabilities.Format(capabilities));
        Assert.Throws<FormatException>(() => OptionTypes.Capabilities.ParseTokens(["=4"]));
    }
}
