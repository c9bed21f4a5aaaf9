using Scaler.Cli.Top;

namespace Scaler.Cli.Tests.Top;

public sealed class TopFormatTests
{
    [Theory]
    [InlineData(0UL, "0B")]
    [InlineData(1023UL, "1023B")]
    [InlineData(1024UL, "1K")]
    [InlineData(1536UL, "1K")]
    [InlineData(3UL * 1024 * 1024, "3.0M")]
    [InlineData(5UL * 1024 * 1024 * 1024 / 2, "2.5G")]
    public void Bytes_UsesWholeUnitsUpToKiloAndOneDecimalAbove(ulong bytes, string expected) =>
        Assert.Equal(expected, TopFormat.Bytes(bytes));

    [Theory]
    [InlineData(0UL, "0.0%")]
    [InlineData(125UL, "12.5%")]
    [InlineData(1000UL, "100.0%")]
    public void Percentage_ReadsThousandths(ulong value, string expected) => Assert.Equal(expected, TopFormat.Percentage(value));

    [Theory]
    [InlineData(500UL, "0.5ms")]
    [InlineData(2_500UL, "2ms")]
    [InlineData(3_000_000UL, "3s")]
    [InlineData(2_000_000_000UL, "2000+s")]
    public void Microseconds_StepsThroughMillisecondsAndSeconds(ulong value, string expected) =>
        Assert.Equal(expected, TopFormat.Microseconds(value));

    [Theory]
    [InlineData(42L, "42s")]
    [InlineData(125L, "2m5s")]
    [InlineData(180L, "3m")]
    [InlineData(3720L, "1h2m")]
    [InlineData(7200L, "2h")]
    public void Seconds_UsesMinutesAndHours(long value, string expected) => Assert.Equal(expected, TopFormat.Seconds(value));

    [Fact]
    public void Integer_SeparatesThousands() => Assert.Equal("1,234,567", TopFormat.Integer(1_234_567));

    [Fact]
    public void Truncate_MarksTheCut()
    {
        Assert.Equal("abc+", TopFormat.Truncate("abcdef", 3));
        Assert.Equal("abc", TopFormat.Truncate("abc", 3));
        Assert.Equal("abcdef", TopFormat.Truncate("abcdef", 0));
    }
}
