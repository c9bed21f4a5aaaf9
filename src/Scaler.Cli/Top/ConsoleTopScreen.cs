namespace Scaler.Cli.Top;

/// <summary>
/// The terminal: each frame clears the screen and is drawn from the top-left corner, cut to the window so that long
/// rows do not wrap. When the output is redirected (a file, a pipe) frames are written whole one after another,
/// separated by a blank line, and no key is read.
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
            output.Write(ClearScreen + FitToWindow(frame, Console.WindowWidth, Console.WindowHeight));
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

    /// <summary>At most <paramref name="height"/> - 1 lines of at most <paramref name="width"/> - 1 characters (0 means unknown: no cut).</summary>
    internal static string FitToWindow(string frame, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var lines = frame.Split(Environment.NewLine);
        var kept = height > 1 ? lines.Take(height - 1) : lines;
        return string.Join(Environment.NewLine, kept.Select(line => width > 1 && line.Length >= width ? line[..(width - 1)] : line));
    }
}
