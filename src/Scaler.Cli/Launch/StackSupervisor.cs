namespace Scaler.Cli.Launch;

/// <summary>
/// Starts the children in order (after a child with a <see cref="ChildSpec.ReadyAddress"/>, the next one waits until
/// that address accepts connections), then waits until one exits or a shutdown is requested, then stops all of them in
/// reverse order: SIGTERM and a wait, sharing one grace period; whatever is still running after it is killed with its
/// whole process tree. A second shutdown request (<c>forceStop</c>) cuts the grace period short.
/// </summary>
/// <param name="waitUntilReady">completes once an address accepts connections; null skips the wait</param>
internal sealed class StackSupervisor(
    IChildProcessFactory factory,
    PrefixedConsole console,
    TimeSpan gracePeriod,
    TimeProvider timeProvider,
    Func<string, CancellationToken, Task>? waitUntilReady = null)
{
    /// <summary>How long to wait for killed processes to be reaped before giving up on them.</summary>
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    /// <summary>How long a server may take to accept connections before the next children are started anyway.</summary>
    internal static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long children that got the stop signal themselves are left to exit before they are signalled.</summary>
    internal static readonly TimeSpan SelfStopWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Asked when stopping: true when the children very likely received the shutdown signal themselves (a Ctrl-C typed
    /// in the terminal reaches its whole foreground process group). They are then first left up to
    /// <see cref="SelfStopWait"/> to exit, because our tools treat a second signal as "die now" and SIGTERM on top of
    /// the Ctrl-C would cut their clean shutdown short.
    /// </summary>
    public Func<bool> ChildrenGotTheSignal { get; init; } = static () => false;

    public async Task<SupervisionResult> RunAsync(IReadOnlyList<ChildSpec> children, CancellationToken shutdown, CancellationToken forceStop)
    {
        ArgumentNullException.ThrowIfNull(children);
        var started = new List<(ChildSpec Spec, IChildProcess Process)>();
        try
        {
            var result = await StartAllAsync(children, started, shutdown).ConfigureAwait(false);
            return result ?? await WaitForFirstExitAsync(started, shutdown).ConfigureAwait(false);
        }
        finally
        {
            await StopAllAsync(started, forceStop).ConfigureAwait(false);
        }
    }

    private async Task<SupervisionResult?> StartAllAsync(IReadOnlyList<ChildSpec> children, List<(ChildSpec, IChildProcess)> started, CancellationToken shutdown)
    {
        foreach (var spec in children)
        {
            if (shutdown.IsCancellationRequested)
            {
                return SupervisionResult.Stopped;
            }

            IChildProcess process;
            try
            {
                var name = spec.Name;
                process = factory.Start(spec, line => console.ChildOutput(name, line), line => console.ChildError(name, line));
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
            {
                return new SupervisionResult(SupervisionOutcome.StartFailed, spec.Name, Detail: e.Message);
            }

            started.Add((spec, process));
            console.Note($"started {spec.Name} (pid {process.Id}): {string.Join(' ', spec.Arguments)}");
            if (spec.ReadyAddress is { } address && waitUntilReady is not null
                && await WaitUntilReadyAsync(spec, process, address, shutdown).ConfigureAwait(false) is { } stop)
            {
                return stop;
            }
        }

        return null;
    }

    /// <summary>Null when the child is ready (or did not get ready in time: the others are then started anyway).</summary>
    private async Task<SupervisionResult?> WaitUntilReadyAsync(ChildSpec spec, IChildProcess process, string address, CancellationToken shutdown)
    {
        using var timeout = new CancellationTokenSource(ReadyTimeout, timeProvider);
        using var probing = CancellationTokenSource.CreateLinkedTokenSource(shutdown, timeout.Token);
        var probe = waitUntilReady!(address, probing.Token);
        if (await Task.WhenAny(probe, process.Exited).ConfigureAwait(false) != probe)
        {
            await probing.CancelAsync().ConfigureAwait(false);
            await ObserveAsync(probe).ConfigureAwait(false);
            return shutdown.IsCancellationRequested
                ? SupervisionResult.Stopped
                : new SupervisionResult(SupervisionOutcome.ChildExited, spec.Name, await process.Exited.ConfigureAwait(false));
        }

        try
        {
            await probe.ConfigureAwait(false);
            console.Note($"{spec.Name} accepts connections at {address}");
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            return SupervisionResult.Stopped;
        }
        catch (OperationCanceledException)
        {
            console.Error($"{spec.Name} does not accept connections at {address} after {ReadyTimeout.TotalSeconds:0} s; starting the others anyway");
        }
        catch (IOException e)
        {
            console.Error($"{spec.Name} does not accept connections at {address} ({e.Message}); starting the others anyway");
        }

        return null;
    }

    private static async Task ObserveAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The probe was abandoned.
        }
    }

    private static async Task<SupervisionResult> WaitForFirstExitAsync(List<(ChildSpec Spec, IChildProcess Process)> started, CancellationToken shutdown)
    {
        var exits = started.Select(s => (Task)s.Process.Exited).ToList();
        var shutdownTask = Task.Delay(Timeout.Infinite, shutdown);
        exits.Add(shutdownTask);
        var first = await Task.WhenAny(exits).ConfigureAwait(false);

        // A Ctrl-C in a terminal reaches the children too (same process group); one may exit before we notice the
        // signal ourselves, which is still a requested stop and not a failure.
        if (first == shutdownTask || shutdown.IsCancellationRequested)
        {
            return SupervisionResult.Stopped;
        }

        var (spec, process) = started.First(s => s.Process.Exited == first);
        return new SupervisionResult(SupervisionOutcome.ChildExited, spec.Name, await process.Exited.ConfigureAwait(false));
    }

    private async Task StopAllAsync(List<(ChildSpec Spec, IChildProcess Process)> started, CancellationToken forceStop)
    {
        using var graceTimer = new CancellationTokenSource(gracePeriod, timeProvider);
        using var graceEnd = CancellationTokenSource.CreateLinkedTokenSource(forceStop, graceTimer.Token);
        if (started.Count > 0 && ChildrenGotTheSignal())
        {
            using var selfStopTimer = new CancellationTokenSource(SelfStopWait, timeProvider);
            using var selfStop = CancellationTokenSource.CreateLinkedTokenSource(graceEnd.Token, selfStopTimer.Token);
            await WaitQuietlyAsync(Task.WhenAll(started.Select(s => s.Process.Exited)), selfStop.Token).ConfigureAwait(false);
        }

        for (var index = started.Count - 1; index >= 0; index--)
        {
            var (spec, process) = started[index];
            if (process.Exited.IsCompleted)
            {
                continue;
            }

            console.Note($"stopping {spec.Name} (pid {process.Id})");
            process.RequestStop();
            await WaitQuietlyAsync(process.Exited, graceEnd.Token).ConfigureAwait(false);
        }

        foreach (var (spec, process) in started.Where(s => !s.Process.Exited.IsCompleted))
        {
            console.Error($"{spec.Name} (pid {process.Id}) did not stop in time; killing it and its child processes");
            process.Kill();
        }

        using var killWait = new CancellationTokenSource(KillWait, timeProvider);
        foreach (var (spec, process) in started)
        {
            await WaitQuietlyAsync(process.Exited, killWait.Token).ConfigureAwait(false);
            process.Dispose();
        }
    }

    private static async Task WaitQuietlyAsync(Task exited, CancellationToken cancellationToken)
    {
        try
        {
            await exited.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The grace period ended or a forced stop was asked for; the caller kills what is left.
        }
    }
}
