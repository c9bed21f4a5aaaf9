using Scaler.Cli.Top;

namespace Scaler.Cli.Tests.Top;

public sealed class ConsoleTopScreenTests
{
    private static readonly string Frame = string.Join(Environment.NewLine, ["abcdefgh", "ij", "klmnop", "q"]);

    [Fact]
    public void FitToWindow_CutsLongLinesAndKeepsALineFree()
    {
        var fitted = ConsoleTopScreen.FitToWindow(Frame, width: 5, height: 3);

        Assert.Equal(["abcd", "ij"], fitted.Split(Environment.NewLine));
    }

    [Fact]
    public void FitToWindow_UnknownSizeKeepsEverything() =>
        Assert.Equal(Frame, ConsoleTopScreen.FitToWindow(Frame, width: 0, height: 0));
}
