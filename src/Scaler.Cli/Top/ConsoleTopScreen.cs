namespace Scaler.Cli.Top;

/// <summary>
/// The terminal: each frame clears the screen and is drawn from the top-left corner, cut to the window so that long
/// rows do not wrap (the view lays itself out to <see cref="Width"/>, so normally nothing is cut). When the output is
/// redirected (a file, a pipe) frames are written whole one after another, separated by a blank line; when the input
/// is, no key is read.
/// </summary>
internal sealed class ConsoleTopScreen(TimeProvider timeProvider) : ITopScreen
{
    // Cursor home, then erase the whole screen.
    private const string ClearScreen = "\u001b[H\u001b[2J";

    /// <summary>
    /// How often the keyboard is looked at: the console has no asynchronous key read, and a pressed key (<c>q</c>, a sort
    /// key) should act at once rather than at the next state, which comes once a second.
    /// </summary>
    private static readonly TimeSpan KeyPollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>The window's width less one: a line that fills the last column makes some terminals wrap.</summary>
    public int Width => Console.IsOutputRedirected ? 0 : Math.Max(0, Console.WindowWidth - 1);

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

    public async Task<char> ReadKeyAsync(CancellationToken cancellationToken)
    {
        if (Console.IsInputRedirected)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, timeProvider, cancellationToken).ConfigureAwait(false);
        }

        while (!Console.KeyAvailable)
        {
            await Task.Delay(KeyPollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
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
