using Scaler.EndToEnd.Tests.Support;
using Scaler.Testing;

namespace Scaler.EndToEnd.Tests;

/// <summary><c>scaler-cli launch stack.toml</c> (bin/scaler) starting a whole stack that a client then uses.</summary>
public sealed class LaunchTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("scaler-e2e-");

    [Fact]
    public async Task Launch_OfSchedulerAndNativeManager_RunsAMap_AndStopsOnSigterm()
    {
        var port = FreePorts.FindConsecutive(3);
        var file = Path.Combine(_directory.FullName, "stack.toml");
        await File.WriteAllTextAsync(file, $"""
            [object_storage_server]
            bind_address = "tcp://127.0.0.1:{port + 1}"

            [scheduler]
            bind_address = "tcp://127.0.0.1:{port}"
            object_storage_address = "tcp://127.0.0.1:{port + 1}"
            policy_content = "allocate=even_load; scaling=vanilla"

            [[worker_manager]]
            type = "baremetal_native"
            scheduler_address = "tcp://127.0.0.1:{port}"
            worker_manager_id = "e2e-launch"
            mode = "fixed"
            max_task_concurrency = 2
            """);

        await using var launch = CliProcess.Start("launch", file);
        await launch.WaitForLineAsync("scheduler listening on", Bound);

        using (var cts = new CancellationTokenSource(Bound))
        {
            await using var client = await Client.ConnectAsync($"tcp://127.0.0.1:{port}", new ClientOptions { ConnectTimeout = TimeSpan.FromSeconds(30) }, cts.Token);
            var results = await client.MapAsync(RemoteFunctions.Square, Enumerable.Range(0, 100), cts.Token);
            Assert.Equal(Enumerable.Range(0, 100).Select(i => i * i), results);
        }

        launch.Terminate();
        Assert.Equal(0, await launch.WaitForExitAsync(Bound));
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
