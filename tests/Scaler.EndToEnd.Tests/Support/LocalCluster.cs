using Scaler.Testing;

namespace Scaler.EndToEnd.Tests.Support;

/// <summary>
/// A local Scaler cluster of real processes on 127.0.0.1, as a user starts it by hand: an object storage server on
/// port P+1, <c>scaler-cli scheduler tcp://127.0.0.1:P</c> (monitor on P+2) and one <c>baremetal_native</c> worker
/// manager. Every wait is bounded; disposing kills every process tree it started.
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    public static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);

    private LocalCluster(int port, CliProcess storage, CliProcess scheduler)
    {
        Port = port;
        Storage = storage;
        Scheduler = scheduler;
    }

    public int Port { get; }

    public string Address => $"tcp://127.0.0.1:{Port}";

    public CliProcess Storage { get; }

    public CliProcess Scheduler { get; }

    public CliProcess? Manager { get; private set; }

    /// <summary>Starts the object storage server (with <paramref name="storageArguments"/>) and the scheduler, waiting until both listen.</summary>
    public static async Task<LocalCluster> StartSchedulerAsync(params string[] storageArguments)
    {
        var port = FreePorts.FindConsecutive(3);
        var storage = CliProcess.Start(["object-storage-server", $"tcp://127.0.0.1:{port + 1}", .. storageArguments]);
        CliProcess? scheduler = null;
        try
        {
            await storage.WaitForLineAsync("listening on", StartBound);
            scheduler = CliProcess.Start(
                "scheduler", $"tcp://127.0.0.1:{port}",
                "--object-storage-address", $"tcp://127.0.0.1:{port + 1}",
                "--policy-content", "allocate=even_load; scaling=vanilla");
            await scheduler.WaitForLineAsync("scheduler listening on", StartBound);
            return new LocalCluster(port, storage, scheduler);
        }
        catch
        {
            if (scheduler is not null)
            {
                await scheduler.DisposeAsync();
            }

            await storage.DisposeAsync();
            throw;
        }
    }

    /// <summary>A cluster with a fixed native worker manager of <paramref name="workers"/> workers, all connected.</summary>
    public static async Task<LocalCluster> StartFixedAsync(int workers, params string[] managerArguments)
    {
        var cluster = await StartSchedulerAsync();
        try
        {
            cluster.StartManager("fixed", workers, managerArguments);
            await cluster.WaitForWorkersAsync(workers, StartBound);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public void StartManager(string mode, int maxTaskConcurrency, params string[] extraArguments)
    {
        Manager = CliProcess.Start(
        [
            "worker-manager", "baremetal_native", Address,
            "--worker-manager-id", $"e2e-{mode}",
            "--mode", mode,
            "--max-task-concurrency", maxTaskConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. extraArguments,
        ]);
    }

    /// <summary>
    /// The Symphony worker manager as the page starts it (<c>symphony ADDRESS --service-name ... --max-task-concurrency
    /// N</c>, no <c>-wmi</c>) on the built-in local SOAM engine; its one worker starts when the scheduler asks for it.
    /// </summary>
    public void StartSymphonyManager(int maxTaskConcurrency, params string[] extraArguments)
    {
        Manager = CliProcess.Start(
        [
            "worker-manager", "symphony", Address,
            "--service-name", "MyScalerService",
            "--max-task-concurrency", maxTaskConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--soam-backend", "local",
            .. extraArguments,
        ]);
    }

    /// <summary>Waits until the scheduler has logged <paramref name="count"/> worker connections in all.</summary>
    public async Task WaitForWorkersAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (WorkerConnections() < count)
        {
            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(
                    $"{WorkerConnections()} of {count} workers connected within {timeout.TotalSeconds} s; scheduler:{Environment.NewLine}{Scheduler.Output}" +
                    $"{Environment.NewLine}manager:{Environment.NewLine}{Manager?.Output}");
            }
        }
    }

    public int WorkerConnections() =>
        Scheduler.Lines.Count(line => line.Contains(" connected with queue size ", StringComparison.Ordinal));

    public Task<Client> ConnectAsync(CancellationToken cancellationToken) =>
        Client.ConnectAsync(Address, new ClientOptions { ConnectTimeout = TimeSpan.FromSeconds(30) }, cancellationToken);

    /// <summary>Everything the cluster printed, for failure messages.</summary>
    public string Output =>
        $"scheduler:{Environment.NewLine}{Scheduler.Output}{Environment.NewLine}manager:{Environment.NewLine}{Manager?.Output}";

    public async ValueTask DisposeAsync()
    {
        if (Manager is not null)
        {
            await Manager.DisposeAsync();
        }

        await Scheduler.DisposeAsync();
        await Storage.DisposeAsync();
    }
}
