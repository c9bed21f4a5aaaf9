namespace Scaler.Cli.Top;

/// <summary>
/// The terminal: each frame clears the screen and is drawn from the top-left corner. When the output is redirected
/// (a file, a pipe) frames are written one after another, separated by a blank line, and no key is read.
/// </summary>
internal sealed class ConsoleTopScreen : ITopScreen
{
    // Cursor home, then erase the whole screen.
    private const string ClearScreen = "\u001b[H\u001b[2J";

    public void Show(string frame)
    {
        var output = Console.Out;
        if (Console.IsOutputRedirected)
        {
            output.WriteLine(frame);
        }
        else
        {
            output.Write(ClearScreen + frame);
        }

        output.Flush();
    }

    public char? TryReadKey()
    {
        if (Console.IsInputRedirected || !Console.KeyAvailable)
        {
            return null;
        }

        return Console.ReadKey(intercept: true).KeyChar;
    }
}
