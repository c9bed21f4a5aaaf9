namespace Scaler.Functions.Tests;

public sealed class CodeAssemblyReferenceTests
{
    private static readonly string Sha = string.Concat(Enumerable.Repeat("0123456789abcdef", 4));

    [Fact]
    public void LowerCaseHexOfSixtyFourDigits_Accepted_AndTheObjectIdCarriesItsFirstHalf()
    {
        var reference = new CodeAssemblyReference("My.Pricing", "1.0.0.0", Guid.NewGuid(), Sha);

        Assert.Equal(Sha, reference.Sha256Hex);
        Assert.Equal(Convert.FromHexString(Sha[..32]), reference.ObjectId()[16..]);
    }

    [Theory]
    [InlineData("upper case")]
    [InlineData("not hex")]
    [InlineData("63 digits")]
    [InlineData("65 digits")]
    [InlineData("non-ascii")]
    public void AnyOtherHash_Refused(string what)
    {
        var sha = what switch
        {
            "upper case" => Sha.ToUpperInvariant(),
            "not hex" => Sha[..63] + "g",
            "63 digits" => Sha[..63],
            "65 digits" => Sha + "0",
            _ => Sha[..63] + "é",
        };

        var error = Assert.Throws<ArgumentException>(() => new CodeAssemblyReference("My.Pricing", "1.0.0.0", Guid.NewGuid(), sha));

        Assert.Contains("64 lower-case hex digits", error.Message, StringComparison.Ordinal);
    }
}
