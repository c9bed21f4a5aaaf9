namespace Scaler.EndToEnd.Tests.Support;

/// <summary>Temp files a remote task writes its process ID to, so a test can see where it runs.</summary>
internal sealed class Markers : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("scaler-e2e-").FullName;
    private int _next;

    public string NewPath() => Path.Combine(_directory, $"marker-{Interlocked.Increment(ref _next)}");

    /// <summary>Waits until a task wrote its process ID to <paramref name="path"/> and returns it.</summary>
    public static async Task<int> WaitForPidAsync(string path, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (File.Exists(path) && int.TryParse(await File.ReadAllTextAsync(path, CancellationToken.None), out var pid))
            {
                return pid;
            }

            try
            {
                await Task.Delay(50, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no task wrote {path} within {timeout.TotalSeconds} s");
            }
        }
    }

    /// <summary>The parent process ID from /proc (Linux).</summary>
    public static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var afterName = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(afterName[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
