namespace Scaler.Cli.Tests;

/// <summary>Every process of the program runs socket completions inline unless its operator said otherwise.</summary>
public sealed class InlineSocketCompletionsTests
{
    [Fact]
    public void Enable_SetsTheVariable_WhenAbsent_AndKeepsAnOperatorsValue()
    {
        var original = Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable);
        try
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, null);
            InlineSocketCompletions.Enable();
            Assert.Equal("1", Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable));

            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, "0");
            InlineSocketCompletions.Enable();
            Assert.Equal("0", Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, original);
        }
    }
}
