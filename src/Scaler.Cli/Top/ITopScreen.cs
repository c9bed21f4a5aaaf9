namespace Scaler.Cli.Top;

/// <summary>Where <c>scaler_top</c> draws, and where it reads keys (sort keys, <c>q</c>) from.</summary>
internal interface ITopScreen
{
    /// <summary>Characters a drawn line may hold without being cut; 0 when there is no limit (output to a file).</summary>
    int Width { get; }

    /// <summary>Replaces what is shown with <paramref name="frame"/>.</summary>
    void Show(string frame);

    /// <summary>The next key pressed; never completes when there is no keyboard (input redirected).</summary>
    Task<char> ReadKeyAsync(CancellationToken cancellationToken);
}
