using System.Diagnostics;
using Scaler.EndToEnd.Tests.Support;
using Scaler.Testing;

namespace Scaler.EndToEnd.Tests;

/// <summary>
/// The scheduler is killed with SIGKILL and started again on the same port: its clients fail at once with a clear
/// error, and the worker managers and workers of the dead scheduler, which lived on, serve the new one.
/// </summary>
public sealed class SchedulerRestartTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(180);
    private readonly Markers _markers = new();

    [Theory]
    [InlineData("fixed")]
    [InlineData("dynamic")]
    public async Task SchedulerKilledAndRestarted_TheOldWorkersServeANewClientsMap(string mode)
    {
        var port = FreePorts.FindConsecutive(3);
        await using var storage = CliProcess.Start("object-storage-server", $"tcp://127.0.0.1:{port + 1}");
        await storage.WaitForLineAsync("listening on", Bound);
        var first = StartScheduler(port);
        await using var manager = CliProcess.Start(
            "worker-manager", "baremetal_native", $"tcp://127.0.0.1:{port}", "--worker-manager-id", $"e2e-restart-{mode}",
            "--mode", mode, "--max-task-concurrency", "2");
        CliProcess? second = null;
        try
        {
            await first.WaitForLineAsync("scheduler listening on", Bound);
            using var cts = new CancellationTokenSource(Bound);
            var address = $"tcp://127.0.0.1:{port}";

            // Before: the workers serve a map, and a long task is running when the scheduler dies.
            await using var oldClient = await Client.ConnectAsync(address, new ClientOptions { ConnectTimeout = TimeSpan.FromSeconds(30) }, cts.Token);
            Assert.Equal(Enumerable.Range(0, 50).Select(i => i * i), await oldClient.MapAsync(RemoteFunctions.Square, Enumerable.Range(0, 50), cts.Token));
            var marker = _markers.NewPath();
            var pending = oldClient.Submit(RemoteFunctions.MarkAndSleep, marker, 120_000).AsTask();
            await Markers.WaitForPidAsync(marker, Bound);
            var workersBefore = Workers(manager.Id);
            Assert.NotEmpty(workersBefore);

            var killed = Stopwatch.StartNew();
            using (var process = Process.GetProcessById(first.Id))
            {
                process.Kill();
            }

            // The old client learns that its scheduler is gone: at once when the kernel closed the connection in order,
            // within its connector's retries (about 52 s) when it reset it (the dead process had unread data).
            var lost = await Assert.ThrowsAsync<ScalerClientException>(() => pending.WaitAsync(TimeSpan.FromSeconds(90)));
            Assert.Contains(address, lost.Message, StringComparison.Ordinal);
            var clientFailedAfter = killed.Elapsed;

            second = StartScheduler(port);
            await second.WaitForLineAsync("scheduler listening on", Bound);
            // A fixed manager's workers register by themselves. A dynamic manager follows the new scheduler, which
            // asks it for no workers while it has no tasks (so the old ones may be stopped before they register):
            // the manager's own registration is what the map needs, and it starts workers for the map's tasks.
            await second.WaitForLineAsync(mode == "fixed" ? " connected with queue size " : "worker manager ", Bound);

            await using var newClient = await Client.ConnectAsync(address, new ClientOptions { ConnectTimeout = TimeSpan.FromSeconds(30) }, cts.Token);
            var pids = await newClient.MapAsync(RemoteFunctions.ProcessId, Enumerable.Range(0, 200), cts.Token);
            var servedBy = pids.Distinct().Select(ProcessTable.ParentOf).ToHashSet();

            // The manager lived on, and so did its workers, which registered with the new scheduler by themselves.
            // A fixed manager starts no others, so the old workers are the ones that served the map. (A dynamic one
            // follows the new scheduler, which may retire idle workers and start new ones.)
            Assert.False(manager.HasExited);
            if (mode == "fixed")
            {
                Assert.Subset(workersBefore, servedBy);
            }

            Assert.Contains(manager.Lines, l => l.Contains("lost the scheduler", StringComparison.Ordinal));
            Assert.Contains(manager.Lines, l => l.Contains("reconnected to the scheduler", StringComparison.Ordinal));
            Console.WriteLine($"{mode}: the old client failed {clientFailedAfter.TotalSeconds:0.0} s after the kill; new map done {killed.Elapsed.TotalSeconds:0.0} s after it");
        }
        finally
        {
            if (second is not null)
            {
                await second.DisposeAsync();
            }

            await first.DisposeAsync();
        }
    }

    public void Dispose() => _markers.Dispose();

    private static CliProcess StartScheduler(int port) => CliProcess.Start(
        "scheduler", $"tcp://127.0.0.1:{port}",
        "--object-storage-address", $"tcp://127.0.0.1:{port + 1}",
        "--policy-content", "allocate=even_load; scaling=vanilla");

    private static HashSet<int> Workers(int manager) => ProcessTable.DescendantsOf(manager)
        .Where(e => e.CommandLine.Contains(" worker ", StringComparison.Ordinal))
        .Select(e => e.Pid)
        .ToHashSet();
}
