using Scaler.EndToEnd.Tests.Support;
using Scaler.Testing;

namespace Scaler.EndToEnd.Tests;

/// <summary>
/// A cluster of real processes with mutual TLS and certificates made by <c>scripts/make-dev-ca.sh</c>: an object storage
/// server and a scheduler presenting the server certificate, a fixed native worker manager (one worker) with the worker
/// certificate, every process given the CA. The tests share it and run one at a time (docs/security.md).
/// </summary>
public sealed class MutualTlsTests : IClassFixture<MutualTlsTests.SecureCluster>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly SecureCluster _cluster;

    public MutualTlsTests(SecureCluster cluster)
    {
        _cluster = cluster;
    }

    [Fact]
    public async Task Map_ByAClientWithACertificate_RunsOnWorkersAndProcessorsOverMutualTls()
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await Client.ConnectAsync(_cluster.Address, _cluster.Certificates.ClientOptions("client"), cts.Token);

        var results = await client.MapAsync(RemoteFunctions.Square, Enumerable.Range(0, 50), cts.Token);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => i * i), results);
        Assert.Contains(_cluster.Scheduler.Lines, line => line.Contains("mutual TLS on tls://127.0.0.1:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Client_WithoutACertificate_IsRefused_AndTheSchedulerSaysWhy()
    {
        using var cts = new CancellationTokenSource(Bound);
        var options = _cluster.Certificates.ClientOptions(null);
        options.ConnectTimeout = TimeSpan.FromSeconds(5);

        await Assert.ThrowsAsync<ScalerClientException>(() => Client.ConnectAsync(_cluster.Address, options, cts.Token));

        await _cluster.Scheduler.WaitForLineAsync("refused: the peer presented no certificate", Bound);
    }

    [Fact]
    public async Task Client_CannotShutTheClusterDown_WhichGoesOnServing()
    {
        using var cts = new CancellationTokenSource(Bound);
        var client = await Client.ConnectAsync(_cluster.Address, _cluster.Certificates.ClientOptions("client"), cts.Token);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.ShutdownAsync().WaitAsync(cts.Token));

        Assert.Contains("admin role", error.Message, StringComparison.Ordinal);
        await client.DisposeAsync();
        await using var next = await Client.ConnectAsync(_cluster.Address, _cluster.Certificates.ClientOptions("client"), cts.Token);
        Assert.Equal(49, await next.Submit(RemoteFunctions.Square, 7).AsTask().WaitAsync(cts.Token));
        Assert.False(_cluster.Scheduler.HasExited);
    }

    [Fact]
    public async Task Monitor_RefusesAClientCertificate_AndServesTopWithAMonitorOne()
    {
        await using var curious = CliProcess.Start(["top", _cluster.MonitorAddress, "--timeout", "3", .. _cluster.Certificates.Options("client")]);
        Assert.Equal(1, await curious.WaitForExitAsync(Bound));
        await _cluster.Scheduler.WaitForLineAsync("this port accepts admin+monitor", Bound);

        await using var top = CliProcess.Start(["top", _cluster.MonitorAddress, "--timeout", "10", .. _cluster.Certificates.Options("monitor")]);
        await top.WaitForLineAsync("Total 0 manager(s) with 1 worker(s)", Bound);
    }

    [Fact]
    public async Task ImpostorScheduler_WithACertificateFromAnotherCa_IsRefusedByClientsWorkersAndManagers()
    {
        using var cts = new CancellationTokenSource(Bound);
        using var otherCa = TestPki.Create("impostor CA");
        var impostorCertificate = otherCa.Issue("impostor", "server");
        var port = FreePorts.FindConsecutive(3);
        var address = $"tls://127.0.0.1:{port}";
        await using var impostor = CliProcess.Start(
            "scheduler", address, "--tls-cert", impostorCertificate.CertificatePath, "--tls-key", impostorCertificate.KeyPath);
        await impostor.WaitForLineAsync("scheduler listening on", Bound);
        var options = _cluster.Certificates.ClientOptions("client");
        options.ConnectTimeout = TimeSpan.FromSeconds(5);

        await Assert.ThrowsAsync<ScalerClientException>(() => Client.ConnectAsync(address, options, cts.Token));
        await using var workers = CliProcess.Start(
        [
            "worker-manager", "baremetal_native", address, "--worker-manager-id", "fooled-fixed", "--mode", "fixed",
            "--max-task-concurrency", "1", .. _cluster.Certificates.Options("worker"),
        ]);
        await using var manager = CliProcess.Start(
        [
            "worker-manager", "baremetal_native", address, "--worker-manager-id", "fooled-dynamic", "--mode", "dynamic",
            .. _cluster.Certificates.Options("worker"),
        ]);

        // The client, the worker and the manager each abort the TLS handshake: the impostor sees three failed handshakes
        // (or more, as they retry) and never a peer that got as far as sending it a message.
        while (impostor.Lines.Count(line => line.Contains("handshake with", StringComparison.Ordinal)) < 3)
        {
            await Task.Delay(100, cts.Token);
        }

        Assert.DoesNotContain(impostor.Lines, line => line.Contains(" connected", StringComparison.Ordinal) && !line.Contains("YMQ", StringComparison.Ordinal));
        const string Refusal = "refused: the certificate CN=impostor is not accepted by the CA file";
        await workers.WaitForLineAsync(Refusal, Bound);
        await manager.WaitForLineAsync(Refusal, Bound);
    }

    /// <summary>The secure cluster the tests share; every process is stopped when the class is done.</summary>
    public sealed class SecureCluster : IAsyncLifetime
    {
        private readonly List<CliProcess> _processes = [];

        internal DevCertificates Certificates { get; private set; } = null!;

        internal CliProcess Scheduler { get; private set; } = null!;

        public string Address { get; private set; } = "";

        public string MonitorAddress { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Certificates = await DevCertificates.CreateAsync(LocalCluster.StartBound);
            var port = FreePorts.FindConsecutive(3);
            Address = $"tls://127.0.0.1:{port}";
            MonitorAddress = $"tls://127.0.0.1:{port + 2}";
            var storage = Start(["object-storage-server", $"tls://127.0.0.1:{port + 1}", .. Certificates.Options("server")]);
            await storage.WaitForLineAsync("listening on", LocalCluster.StartBound);
            Scheduler = Start(
            [
                "scheduler", Address, "--object-storage-address", $"tls://127.0.0.1:{port + 1}", .. Certificates.Options("server"),
            ]);
            await Scheduler.WaitForLineAsync("scheduler listening on", LocalCluster.StartBound);
            Start(
            [
                "worker-manager", "baremetal_native", Address, "--worker-manager-id", "e2e-tls", "--mode", "fixed",
                "--max-task-concurrency", "1", .. Certificates.Options("worker"),
            ]);
            await Scheduler.WaitForLineAsync(" connected with queue size ", LocalCluster.StartBound);
        }

        public async Task DisposeAsync()
        {
            foreach (var process in Enumerable.Reverse(_processes))
            {
                await process.DisposeAsync();
            }

            Certificates?.Dispose();
        }

        private CliProcess Start(string[] arguments)
        {
            var process = CliProcess.Start(arguments);
            _processes.Add(process);
            return process;
        }
    }
}
