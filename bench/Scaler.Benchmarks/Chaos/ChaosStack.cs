using System.Diagnostics;
using System.Net.Sockets;
using Scaler.Benchmarks.Suite;
using Scaler.Testing;

namespace Scaler.Benchmarks.Chaos;

/// <summary>
/// The stack the chaos soak attacks, each part a scaler-cli process on 127.0.0.1: an object storage server (never
/// killed: its objects are the tasks'), a scheduler, and a dynamic baremetal_native worker manager whose workers and
/// processors it starts itself. The soak kills any of them but the storage; the operator's part (starting a killed
/// scheduler or manager again) is <see cref="RestartSchedulerAsync"/> and <see cref="RestartManagerAsync"/>.
/// </summary>
internal sealed class ChaosStack : IAsyncDisposable
{
    private readonly string _cli;
    private readonly int _workers;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly ChildProcess _storage;
    private ChildProcess _scheduler;
    private ChildProcess _manager;

    private ChaosStack(string cli, int port, int workers, IReadOnlyDictionary<string, string> environment)
    {
        _cli = cli;
        _workers = workers;
        _environment = environment;
        Port = port;
        _storage = ChildProcess.Start(cli, ["object-storage-server", StorageAddress, "-ll", "WARNING"]);
        _scheduler = StartScheduler();
        _manager = StartManager();
    }

    public int Port { get; }

    public string SchedulerAddress => $"tcp://127.0.0.1:{Port}";

    public string StorageAddress => $"tcp://127.0.0.1:{Port + 1}";

    public int MonitorPort => Port + 2;

    public int SchedulerPid => _scheduler.Id;

    public int ManagerPid => _manager.Id;

    public static ChaosStack Start(string cli, int workers, string runsDirectory) =>
        new(cli, FreePorts.FindConsecutive(3), workers, new Dictionary<string, string> { [ChaosTask.DirectoryVariable] = runsDirectory });

    /// <summary>Every process of the stack by role: storage, scheduler, manager, worker, processor.</summary>
    public IReadOnlyList<(string Role, int Pid)> Processes()
    {
        var processes = new List<(string, int)> { ("object storage", _storage.Id), ("scheduler", _scheduler.Id), ("worker manager", _manager.Id) };
        foreach (var (pid, _, commandLine) in ProcessTable.DescendantsOf(_manager.Id))
        {
            processes.Add((commandLine.Contains(" processor ", StringComparison.Ordinal) ? "processor" : commandLine.Contains(" worker ", StringComparison.Ordinal) ? "worker" : "other", pid));
        }

        return processes;
    }

    public IReadOnlyList<int> PidsOf(string role) => Processes().Where(p => p.Role == role).Select(p => p.Pid).ToList();

    /// <summary>SIGKILLs the scheduler, then (after <paramref name="down"/>) starts a new one on the same port.</summary>
    public async Task RestartSchedulerAsync(TimeSpan down, CancellationToken cancellationToken)
    {
        await _scheduler.KillAloneAsync();
        await _scheduler.DisposeAsync();
        await Task.Delay(down, cancellationToken);
        _scheduler = StartScheduler();
        await WaitListeningAsync(Port, cancellationToken);
    }

    /// <summary>
    /// SIGKILLs the worker manager alone, then starts a new one. Its workers and their processors must end by
    /// themselves (they watch their parent): returns those still running 20 s later, which should be none.
    /// </summary>
    public async Task<int> RestartManagerAsync(CancellationToken cancellationToken)
    {
        var orphans = ProcessTable.DescendantsOf(_manager.Id);
        await _manager.KillAloneAsync();
        await _manager.DisposeAsync();
        await Task.Delay(200, cancellationToken);
        _manager = StartManager();
        var clock = Stopwatch.StartNew();
        while (orphans.Any(ProcessTable.IsRunning) && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100, cancellationToken);
        }

        return orphans.Count(ProcessTable.IsRunning);
    }

    /// <summary>Parts that should run but do not (a scheduler or manager that exited on its own): empty when all is well.</summary>
    public IReadOnlyList<string> Exited() =>
        new[] { ("object storage", _storage), ("scheduler", _scheduler), ("worker manager", _manager) }
            .Where(p => p.Item2.HasExited).Select(p => $"{p.Item1} exited: {p.Item2.Output}").ToList();

    public static async Task WaitListeningAsync(int port, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync("127.0.0.1", port, cancellationToken);
                return;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _manager.DisposeAsync();
        await _scheduler.DisposeAsync();
        await _storage.DisposeAsync();
    }

    private ChildProcess StartScheduler() => ChildProcess.Start(_cli,
    [
        "scheduler", SchedulerAddress, "-osa", StorageAddress, "--policy-content", "allocate=even_load; scaling=vanilla", "-ll", "WARNING",
    ]);

    private ChildProcess StartManager() => ChildProcess.Start(
        _cli,
        [
            "worker-manager", "baremetal_native", SchedulerAddress, "-wmi", "chaos", "-osa", StorageAddress,
            "--mode", "dynamic", "-mtc", _workers.ToString(System.Globalization.CultureInfo.InvariantCulture), "-ll", "WARNING",
        ],
        _environment);
}
