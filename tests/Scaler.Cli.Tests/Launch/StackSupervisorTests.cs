using Scaler.Cli.Launch;

namespace Scaler.Cli.Tests.Launch;

public sealed class StackSupervisorTests : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    private readonly ShellChildren _children = new();
    private readonly CancellationTokenSource _bound = new(TimeSpan.FromSeconds(30));

    public void Dispose()
    {
        foreach (var child in _children.Started)
        {
            child.Dispose();
        }

        _bound.Dispose();
        _output.Dispose();
        _error.Dispose();
        _files.Dispose();
    }

    private StackSupervisor Supervisor(TimeSpan grace) =>
        new(_children, new PrefixedConsole(_output, _error), grace, TimeProvider.System);

    private string[] OutputLines => _output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task ChildExitingNonZero_StopsTheOthersAndIsNamed()
    {
        var ready = _files.PathOf("a.ready");
        ChildSpec[] specs =
        [
            ShellChildren.Idler("a", ready),
            new("b", [$"while [ ! -e '{ready}' ]; do sleep 0.02; done; echo hello from b; echo trouble >&2; exit 3"]),
        ];

        var result = await Supervisor(TimeSpan.FromSeconds(10)).RunAsync(specs, _bound.Token, CancellationToken.None);

        Assert.False(_bound.IsCancellationRequested);
        Assert.Equal(new SupervisionResult(SupervisionOutcome.ChildExited, "b", 3), result);
        Assert.Equal(1, result.LauncherExitCode);
        Assert.Contains("b exited with code 3", result.Describe(), StringComparison.Ordinal);
        Assert.Contains("[b] hello from b", OutputLines);
        Assert.Contains("[b] trouble", _error.ToString().Split(Environment.NewLine));
        // a was asked to stop (its TERM trap printed) and exited.
        Assert.Contains("[a] stopping", OutputLines);
        Assert.Equal(0, await _children.Started[0].Exited);
    }

    [Fact]
    public async Task Shutdown_StopsChildrenInReverseOrder()
    {
        string[] ready = [_files.PathOf("a.ready"), _files.PathOf("b.ready"), _files.PathOf("c.ready")];
        ChildSpec[] specs = [ShellChildren.Idler("a", ready[0]), ShellChildren.Idler("b", ready[1]), ShellChildren.Idler("c", ready[2])];
        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(_bound.Token);

        var run = Supervisor(TimeSpan.FromSeconds(10)).RunAsync(specs, shutdown.Token, CancellationToken.None);
        await ShellChildren.WaitForFilesAsync(_bound.Token, ready);
        await shutdown.CancelAsync();
        var result = await run;

        Assert.False(_bound.IsCancellationRequested);
        Assert.Equal(SupervisionOutcome.Stopped, result.Outcome);
        Assert.Equal(0, result.LauncherExitCode);
        var stopped = OutputLines.Where(l => l.EndsWith("] stopping", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["[c] stopping", "[b] stopping", "[a] stopping"], stopped);
        Assert.All(_children.Started, c => Assert.True(c.Exited.IsCompleted));
    }

    [Fact]
    public async Task ChildrenThatGotTheInterruptThemselves_AreLeftToExitWithoutATerm()
    {
        string[] ready = [_files.PathOf("a.ready"), _files.PathOf("b.ready")];
        // Each child says which signal stopped it; its clean stop after SIGINT takes a moment, time in which a TERM would land.
        ChildSpec Child(string name, string readyFile) =>
            new(name, [$"trap 'echo by-term; exit 0' TERM; trap 'sleep 0.3; echo by-int; exit 0' INT; touch '{readyFile}'; while :; do sleep 0.05; done"]);
        var supervisor = new StackSupervisor(_children, new PrefixedConsole(_output, _error), TimeSpan.FromSeconds(10), TimeProvider.System)
        {
            ChildrenGotTheSignal = () => true,
        };
        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(_bound.Token);

        var run = supervisor.RunAsync([Child("a", ready[0]), Child("b", ready[1])], shutdown.Token, CancellationToken.None);
        await ShellChildren.WaitForFilesAsync(_bound.Token, ready);
        // What a Ctrl-C in the terminal does: every process of the group gets SIGINT, the launcher included.
        Assert.All(_children.Started, c => Assert.True(PosixSignals.TryInterrupt(c.Id)));
        await shutdown.CancelAsync();
        var result = await run;

        Assert.Equal(SupervisionOutcome.Stopped, result.Outcome);
        Assert.Contains("[a] by-int", OutputLines);
        Assert.Contains("[b] by-int", OutputLines);
        Assert.DoesNotContain(OutputLines, l => l.EndsWith("by-term", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChildIgnoringTerm_IsKilledAfterTheGracePeriod()
    {
        var ready = _files.PathOf("a.ready");
        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(_bound.Token);

        var run = Supervisor(TimeSpan.FromMilliseconds(300)).RunAsync([ShellChildren.Idler("a", ready, onTerm: "")], shutdown.Token, CancellationToken.None);
        await ShellChildren.WaitForFilesAsync(_bound.Token, ready);
        await shutdown.CancelAsync();
        var result = await run;

        Assert.False(_bound.IsCancellationRequested);
        Assert.Equal(SupervisionOutcome.Stopped, result.Outcome);
        Assert.Contains("[scaler] a (pid", _error.ToString(), StringComparison.Ordinal);
        Assert.Contains("did not stop in time", _error.ToString(), StringComparison.Ordinal);
        Assert.True(_children.Started[0].Exited.IsCompleted);
        Assert.False(ShellChildren.IsAlive(_children.Started[0].Id));
    }

    [Fact]
    public async Task ProcessesLeftBehindByAStoppedChild_AreKilled()
    {
        var ready = _files.PathOf("a.ready");
        var grandchildFile = _files.PathOf("grandchild.pid");
        // The child starts a long sleep in the background and, on TERM, exits without waiting for it.
        var spec = new ChildSpec("a", [$"sleep 300 & echo $! > '{grandchildFile}'; trap 'exit 0' TERM; touch '{ready}'; while :; do sleep 0.05; done"]);
        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(_bound.Token);

        var run = Supervisor(TimeSpan.FromSeconds(10)).RunAsync([spec], shutdown.Token, CancellationToken.None);
        await ShellChildren.WaitForFilesAsync(_bound.Token, ready);
        var grandchild = int.Parse(File.ReadAllText(grandchildFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(ShellChildren.IsAlive(grandchild));
        await shutdown.CancelAsync();
        var result = await run;

        Assert.Equal(SupervisionOutcome.Stopped, result.Outcome);
        Assert.Equal(0, await _children.Started[0].Exited);
        // A killed orphan may take a moment to be reaped; it must be dead (or a zombie) within the test's bound.
        while (ShellChildren.IsAlive(grandchild) && !_bound.IsCancellationRequested)
        {
            await Task.Delay(20);
        }

        Assert.False(ShellChildren.IsAlive(grandchild));
    }

    [Fact]
    public async Task ProcessesLeftBehindByACrashedChild_AreKilledWhenTheyWereNoted()
    {
        var ready = _files.PathOf("a.ready");
        var go = _files.PathOf("a.go");
        var grandchildFile = _files.PathOf("grandchild.pid");
        // The child starts a long sleep in the background, then exits with code 4 on its own once told to, leaving it.
        var spec = new ChildSpec("a", [$"sleep 300 & echo $! > '{grandchildFile}'; touch '{ready}'; while [ ! -e '{go}' ]; do sleep 0.02; done; exit 4"]);

        var run = Supervisor(TimeSpan.FromSeconds(10)).RunAsync([spec], _bound.Token, CancellationToken.None);
        await ShellChildren.WaitForFilesAsync(_bound.Token, ready);
        var grandchild = int.Parse(File.ReadAllText(grandchildFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        // What the periodic refresh does; called here so the test does not depend on its timing.
        ((OsChildProcess)_children.Started[0]).RememberDescendants();
        File.WriteAllText(go, "");
        var result = await run;

        Assert.Equal(new SupervisionResult(SupervisionOutcome.ChildExited, "a", 4), result);
        while (ShellChildren.IsAlive(grandchild) && !_bound.IsCancellationRequested)
        {
            await Task.Delay(20);
        }

        Assert.False(ShellChildren.IsAlive(grandchild));
    }

    [Fact]
    public async Task ChildWithReadyAddress_NextChildWaitsUntilItIsReady()
    {
        string[] ready = [_files.PathOf("a.ready"), _files.PathOf("b.ready")];
        var probed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var supervisor = new StackSupervisor(
            _children, new PrefixedConsole(_output, _error), TimeSpan.FromSeconds(10), TimeProvider.System,
            (address, _) => { probed.TrySetResult(address); return release.Task; });
        ChildSpec[] specs = [ShellChildren.Idler("a", ready[0]) with { ReadyAddress = "tcp://127.0.0.1:7" }, ShellChildren.Idler("b", ready[1])];
        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(_bound.Token);

        var run = supervisor.RunAsync(specs, shutdown.Token, CancellationToken.None);
        Assert.Equal("tcp://127.0.0.1:7", await probed.Task.WaitAsync(_bound.Token));
        Assert.Single(_children.Started);
        release.SetResult();
        await ShellChildren.WaitForFilesAsync(_bound.Token, ready);
        await shutdown.CancelAsync();
        var result = await run;

        Assert.Equal(SupervisionOutcome.Stopped, result.Outcome);
        Assert.Equal(2, _children.Started.Count);
        Assert.Contains("[scaler] a accepts connections at tcp://127.0.0.1:7", OutputLines);
    }

    [Fact]
    public async Task ChildExitingBeforeItIsReady_IsReportedAndTheNextIsNotStarted()
    {
        var supervisor = new StackSupervisor(
            _children, new PrefixedConsole(_output, _error), TimeSpan.FromSeconds(10), TimeProvider.System,
            (_, cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken));
        ChildSpec[] specs = [new("a", ["exit 5"], ReadyAddress: "tcp://127.0.0.1:7"), new("b", ["exit 0"])];

        var result = await supervisor.RunAsync(specs, _bound.Token, CancellationToken.None);

        Assert.False(_bound.IsCancellationRequested);
        Assert.Equal(new SupervisionResult(SupervisionOutcome.ChildExited, "a", 5), result);
        Assert.Single(_children.Started);
    }

    [Fact]
    public async Task ChildThatCannotStart_StopsTheOnesAlreadyStarted()
    {
        var ready = _files.PathOf("a.ready");
        var factory = new FailingSecond(_children);
        var supervisor = new StackSupervisor(factory, new PrefixedConsole(_output, _error), TimeSpan.FromSeconds(10), TimeProvider.System);

        var result = await supervisor.RunAsync([ShellChildren.Idler("a", ready), new ChildSpec("b", [])], _bound.Token, CancellationToken.None);

        Assert.Equal(SupervisionOutcome.StartFailed, result.Outcome);
        Assert.Equal("b", result.ChildName);
        Assert.Contains("no such file", result.Describe(), StringComparison.Ordinal);
        Assert.True(_children.Started[0].Exited.IsCompleted);
    }

    private sealed class FailingSecond(ShellChildren inner) : IChildProcessFactory
    {
        public IChildProcess Start(ChildSpec spec, Action<string> standardOutputLine, Action<string> standardErrorLine) =>
            spec.Name == "b"
                ? throw new System.ComponentModel.Win32Exception(2, "no such file")
                : inner.Start(spec, standardOutputLine, standardErrorLine);
    }
}
