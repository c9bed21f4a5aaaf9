using Scaler.Testing;

namespace Scaler.Benchmarks.Suite;

/// <summary>
/// An object storage server, a scheduler and (optionally) a worker manager with a concurrency of N tasks (a fixed
/// baremetal_native manager with N workers, or the Symphony manager on the local SOAM engine at max-task-concurrency N),
/// each a real scaler-cli process on 127.0.0.1. Disposing kills every process tree it started (the Symphony manager's
/// service instance processes are in its tree).
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private readonly List<ChildProcess> _children = [];

    private LocalCluster(int port)
    {
        SchedulerAddress = $"tcp://127.0.0.1:{port}";
        ObjectStorageAddress = $"tcp://127.0.0.1:{port + 1}";
    }

    public string SchedulerAddress { get; }

    public string ObjectStorageAddress { get; }

    public ChildProcess Scheduler => _children[1];

    /// <summary>CPU seconds so far of each part, this process (the client) first.</summary>
    public IReadOnlyList<(string Part, double Seconds)> CpuSeconds()
    {
        var parts = new List<(string, double)> { ("client", Environment.CpuUsage.TotalTime.TotalSeconds) };
        string[] names = ["object storage", "scheduler", "worker manager + workers"];
        var seconds = ProcessTreeCpu.Seconds(_children.Select(child => child.Id).ToList());
        for (var i = 0; i < _children.Count; i++)
        {
            parts.Add((names[Math.Min(i, names.Length - 1)], seconds[i]));
        }

        return parts;
    }

    /// <summary>CPU microseconds per task of each part between two <see cref="CpuSeconds"/> readings.</summary>
    public static string PerTask(IReadOnlyList<(string Part, double Seconds)> before, IReadOnlyList<(string Part, double Seconds)> after, int tasks) =>
        string.Join(", ", after.Select((a, i) => $"{a.Part} {(a.Seconds - before[i].Seconds) * 1e6 / tasks:N0}"));

    /// <summary>Which worker manager <see cref="Start"/> runs.</summary>
    public enum Manager
    {
        BaremetalNative,
        SymphonyLocal,

        /// <summary>baremetal_native in dynamic mode: no worker until the scheduler asks for them (up to N).</summary>
        BaremetalNativeDynamic,
    }

    public static LocalCluster Start(string cli, int workers, Manager manager = Manager.BaremetalNative, params string[] managerArguments)
    {
        var cluster = new LocalCluster(FreePorts.FindConsecutive(3));
        try
        {
            cluster._children.Add(ChildProcess.Start(cli, ["object-storage-server", cluster.ObjectStorageAddress, "-ll", "WARNING"]));
            cluster._children.Add(ChildProcess.Start(cli, ["scheduler", cluster.SchedulerAddress, "-osa", cluster.ObjectStorageAddress, "-ll", "WARNING"]));
            var concurrency = workers.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (workers > 0 && manager == Manager.SymphonyLocal)
            {
                cluster._children.Add(ChildProcess.Start(cli,
                [
                    "worker-manager", "symphony", cluster.SchedulerAddress, "-wmi", "bench-symphony", "-osa", cluster.ObjectStorageAddress,
                    "--service-name", "ScalerBench", "--soam-backend", "local", "-mtc", concurrency, "-ll", "WARNING", .. managerArguments,
                ]));
            }
            else if (workers > 0)
            {
                cluster._children.Add(ChildProcess.Start(cli,
                [
                    "worker-manager", "baremetal_native", cluster.SchedulerAddress, "-wmi", "bench", "-osa", cluster.ObjectStorageAddress,
                    "--mode", manager == Manager.BaremetalNativeDynamic ? "dynamic" : "fixed", "-mtc", concurrency, "-ll", "WARNING", .. managerArguments,
                ]));
            }
        }
        catch
        {
            cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }

        return cluster;
    }

    /// <summary>Throws with the output of any process that has exited (a cluster with a missing part is not measured).</summary>
    public void ThrowIfAnyExited()
    {
        foreach (var child in _children.Where(c => c.HasExited))
        {
            throw new InvalidOperationException($"a scaler-cli process exited early; its output:{Environment.NewLine}{child.Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _children.Count - 1; i >= 0; i--)
        {
            await _children[i].DisposeAsync();
        }

        _children.Clear();
    }
}
