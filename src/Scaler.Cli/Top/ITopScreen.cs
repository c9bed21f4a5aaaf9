namespace Scaler.Cli.Top;

/// <summary>Where <c>scaler_top</c> draws, and where it reads the sort keys from.</summary>
internal interface ITopScreen
{
    /// <summary>Replaces what is shown with <paramref name="frame"/>.</summary>
    void Show(string frame);

    /// <summary>A key pressed since the last call, if any; never waits.</summary>
    char? TryReadKey();
}
