namespace Scaler.Cli.Launch;

/// <summary>A started child of the launcher; the real one wraps an OS process, tests may fake it.</summary>
internal interface IChildProcess : IDisposable
{
    int Id { get; }

    /// <summary>Completes with the exit code once the child has exited and its output has been read to the end.</summary>
    Task<int> Exited { get; }

    /// <summary>Asks the child to stop cleanly (SIGTERM where there is one).</summary>
    void RequestStop();

    /// <summary>Kills the child and every process below it, at once.</summary>
    void Kill();
}
