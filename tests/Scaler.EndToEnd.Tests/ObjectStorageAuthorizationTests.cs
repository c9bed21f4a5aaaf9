using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.EndToEnd.Tests.Support;
using Scaler.IO.Addressing;
using Scaler.IO.Tls;
using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.Testing;

namespace Scaler.EndToEnd.Tests;

/// <summary>
/// Object storage with mutual TLS, in real processes with the certificates of <c>scripts/make-dev-ca.sh</c>: a scheduler
/// whose embedded object storage gets its <c>tls_ca</c> (objects of a departed client kept 1 s), and a fixed native
/// worker manager with one worker. Each request is checked against the requester's certificate (docs/security.md).
/// </summary>
public sealed class ObjectStorageAuthorizationTests : IClassFixture<ObjectStorageAuthorizationTests.Cluster>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly Cluster _cluster;

    public ObjectStorageAuthorizationTests(Cluster cluster)
    {
        _cluster = cluster;
    }

    [Fact]
    public async Task Map_OverMutualTls_RunsWithWorkersReadingTheClientsObjects_FromAStorageThatChecksCertificates()
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await Client.ConnectAsync(_cluster.Address, _cluster.Certificates.ClientOptions("client"), cts.Token);

        var results = await client.MapAsync(RemoteFunctions.Square, Enumerable.Range(0, 40), cts.Token);

        Assert.Equal(Enumerable.Range(0, 40).Select(i => i * i), results);
        Assert.Contains(_cluster.Scheduler.Lines, line => line.Contains("requires certificates from", StringComparison.Ordinal));
        Assert.DoesNotContain(_cluster.Scheduler.Lines, line => line.Contains("is OPEN", StringComparison.Ordinal));
        Assert.DoesNotContain(_cluster.Scheduler.Lines, RefusesAWorkerOrTheScheduler);
    }

    [Fact]
    public async Task AClient_CannotGetOrDeleteAnotherClientsObject_AndIsToldWhy()
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var victim = await Client.ConnectAsync(_cluster.Address, _cluster.Certificates.ClientOptions("client"), cts.Token);
        Assert.Equal(49, await victim.Submit(RemoteFunctions.Square, 7).AsTask().WaitAsync(cts.Token));
        var serializer = SerializerOf(victim);
        await using var mallory = await ConnectStorageAsync("client", $"Client|{Guid.NewGuid()}", cts.Token);

        var get = await Assert.ThrowsAsync<ObjectStorageException>(() => mallory.GetAsync(serializer, cts.Token));
        var delete = await Assert.ThrowsAsync<ObjectStorageException>(() => mallory.DeleteAsync(serializer, cts.Token));

        Assert.All([get, delete], refused =>
        {
            Assert.True(refused.IsRefusal);
            Assert.Contains($"object {serializer} belongs to another owner", refused.Message, StringComparison.Ordinal);
        });
        Assert.Equal(64, await victim.Submit(RemoteFunctions.Square, 8).AsTask().WaitAsync(cts.Token));
        await _cluster.Scheduler.WaitForLineAsync("Refused peer Client|", Bound);
    }

    [Fact]
    public async Task TheScheduler_DeletesTheObjectsOfAClientThatLeft()
    {
        using var cts = new CancellationTokenSource(Bound);
        var victim = await Client.ConnectAsync(_cluster.Address, _cluster.Certificates.ClientOptions("client"), cts.Token);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * i), await victim.MapAsync(RemoteFunctions.Square, Enumerable.Range(0, 10), cts.Token));
        var serializer = SerializerOf(victim);
        await using var worker = await ConnectStorageAsync("worker", $"probe|{Guid.NewGuid()}", cts.Token);
        Assert.True(await ExistsAsync(worker, serializer, cts.Token));

        await victim.DisposeAsync();

        while (await ExistsAsync(worker, serializer, cts.Token))
        {
            await Task.Delay(250, cts.Token);
        }

        // The probe above only saw a get wait; the server's certificate, which may delete, finds nothing left to delete.
        await using var server = await ConnectStorageAsync("server", $"check|{Guid.NewGuid()}", cts.Token);
        Assert.False(await server.DeleteAsync(serializer, cts.Token));
        Assert.DoesNotContain(_cluster.Scheduler.Lines, RefusesAWorkerOrTheScheduler);
    }

    /// <summary>A refusal logged by object storage for a worker's or the scheduler's certificate: they must never be refused.</summary>
    private static bool RefusesAWorkerOrTheScheduler(string line) =>
        line.Contains("Refused peer", StringComparison.Ordinal)
        && (line.Contains("(worker)]", StringComparison.Ordinal) || line.Contains("(server)]", StringComparison.Ordinal));

    private static ObjectId SerializerOf(Client client) =>
        ObjectId.ForSerializer(ObjectOwner.FromClientIdentity(Encoding.UTF8.GetBytes(client.Identity)));

    /// <summary>A get of a missing object waits in object storage: one not answered within 2 s is taken as gone.</summary>
    private static async Task<bool> ExistsAsync(ObjectStorageClient storage, ObjectId id, CancellationToken cancellationToken)
    {
        try
        {
            await storage.GetAsync(id, 0, cancellationToken).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private Task<ObjectStorageClient> ConnectStorageAsync(string role, string identity, CancellationToken cancellationToken)
    {
        var tls = new TlsSettings
        {
            CertificatePath = _cluster.Certificates.Certificate(role),
            KeyPath = _cluster.Certificates.Key(role),
            CaPath = _cluster.Certificates.CaPath,
        };
        return ObjectStorageClient.ConnectAsync(
            ScalerAddress.Parse(_cluster.StorageAddress), tls.ForConnectorToServer(new YmqOptions { Identity = identity }), NullLoggerFactory.Instance, cancellationToken);
    }

    /// <summary>The cluster the tests share; every process is stopped when the class is done.</summary>
    public sealed class Cluster : IAsyncLifetime
    {
        private readonly List<CliProcess> _processes = [];

        internal DevCertificates Certificates { get; private set; } = null!;

        internal CliProcess Scheduler { get; private set; } = null!;

        public string Address { get; private set; } = "";

        public string StorageAddress { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Certificates = await DevCertificates.CreateAsync(LocalCluster.StartBound);
            var port = FreePorts.FindConsecutive(3);
            Address = $"tls://127.0.0.1:{port}";
            StorageAddress = $"tls://127.0.0.1:{port + 1}";
            Scheduler = Start(["scheduler", Address, "--object-retention-seconds", "1", .. Certificates.Options("server")]);
            await Scheduler.WaitForLineAsync("scheduler listening on", LocalCluster.StartBound);
            Start(
            [
                "worker-manager", "baremetal_native", Address, "--worker-manager-id", "e2e-storage-tls", "--mode", "fixed",
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
