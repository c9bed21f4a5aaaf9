using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.IO.Tls;
using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Server;
using Scaler.ObjectStorage.Tests.Support;
using Scaler.ObjectStorage.Wire;
using Scaler.Testing;

namespace Scaler.ObjectStorage.Tests.Client;

/// <summary>
/// Object storage with a CA over TLS on 127.0.0.1 (docs/security.md): each request is checked against the roles of the
/// requester's certificate and the owner prefix of its identity.
/// </summary>
public sealed class ObjectStorageMutualTlsTests : IDisposable
{
    private readonly TestPki _pki = TestPki.Create();
    private readonly TestCertificate _server;
    private readonly TestCertificate _client;
    private readonly TestCertificate _worker;

    public ObjectStorageMutualTlsTests()
    {
        _server = _pki.Issue("storage", "server");
        _client = _pki.Issue("alice-or-mallory", "client");
        _worker = _pki.Issue("worker", "worker");
    }

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task AClient_CannotGetSetOrDeleteAnotherClientsObject_AndIsToldWhy()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        var log = new ListLoggerFactory();
        await using ServerFixture fixture = await StartAsync(log, timeout.Token);
        ObjectStorageClient alice = await ConnectAsync(fixture, "Client|alice", _client, timeout.Token);
        ObjectStorageClient mallory = await ConnectAsync(fixture, "Client|mallory", _client, timeout.Token);
        ObjectId secret = ObjectId.NewUnique(ObjectOwner.FromClientIdentity("Client|alice"u8));
        await alice.SetAsync(secret, new byte[] { 4, 2 }, timeout.Token);

        ObjectStorageException get = await Assert.ThrowsAsync<ObjectStorageException>(() => mallory.GetAsync(secret, timeout.Token));
        ObjectStorageException delete = await Assert.ThrowsAsync<ObjectStorageException>(() => mallory.DeleteAsync(secret, timeout.Token));
        ObjectStorageException set = await Assert.ThrowsAsync<ObjectStorageException>(() => mallory.SetAsync(secret, new byte[] { 6 }, timeout.Token));

        Assert.All([get, delete, set], refused =>
        {
            Assert.True(refused.IsRefusal);
            Assert.Contains($"object {secret} belongs to another owner", refused.Message, StringComparison.Ordinal);
        });
        Assert.Equal(new byte[] { 4, 2 }, (await alice.GetAsync(secret, timeout.Token)).ToArray());
        Assert.Single(log.Logger.Lines, l => l.Message.Contains("Refused peer Client|mallory [CN=alice-or-mallory (client)]", StringComparison.Ordinal));
        Assert.Contains(log.Logger.Lines, l => l.Message.Contains("requires certificates from", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AWorker_ReadsAndWritesAClientsObjects_ButCannotDelete_WhileTheSchedulersCertificateDeletes()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await StartAsync(new ListLoggerFactory(), timeout.Token);
        ObjectOwner aliceOwner = ObjectOwner.FromClientIdentity("Client|alice"u8);
        ObjectStorageClient alice = await ConnectAsync(fixture, "Client|alice", _client, timeout.Token);
        ObjectStorageClient worker = await ConnectAsync(fixture, "worker|1", _worker, timeout.Token);
        ObjectStorageClient scheduler = await ConnectAsync(fixture, "1|scheduler|x", _server, timeout.Token);
        ObjectId argument = ObjectId.NewUnique(aliceOwner);
        ObjectId result = ObjectId.NewUnique(aliceOwner);
        await alice.SetAsync(argument, new byte[] { 3 }, timeout.Token);

        Assert.Equal(new byte[] { 3 }, (await worker.GetAsync(argument, timeout.Token)).ToArray());
        await worker.SetAsync(result, new byte[] { 9 }, timeout.Token);
        ObjectStorageException delete = await Assert.ThrowsAsync<ObjectStorageException>(() => worker.DeleteAsync(argument, timeout.Token));

        Assert.Contains("a peer with the roles worker may not make DeleteObject requests", delete.Message, StringComparison.Ordinal);
        Assert.Equal(new byte[] { 9 }, (await alice.GetAsync(result, timeout.Token)).ToArray());
        Assert.True(await scheduler.DeleteAsync(argument, timeout.Token));
        Assert.True(await scheduler.DeleteAsync(result, timeout.Token));
        Assert.Equal(new ObjectStorageTotals(0, 0, 0), await scheduler.GetInfoAsync(timeout.Token));
    }

    [Fact]
    public async Task APeerWithoutACertificate_IsRefusedAtTheHandshake()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        var log = new ListLoggerFactory();
        await using ServerFixture fixture = await StartAsync(log, timeout.Token);

        YmqOptions anonymous = new TlsSettings { CaPath = _pki.CaPath }.ForConnectorToServer(new YmqOptions
        {
            Identity = "Client|anonymous",
            ConnectMaxRetries = 0,
        });
        await Assert.ThrowsAsync<YmqConnectException>(
            () => ObjectStorageClient.ConnectAsync(fixture.Address, anonymous, NullLoggerFactory.Instance, timeout.Token));

        while (!log.Logger.Lines.Any(l => l.Message.Contains("presented no certificate", StringComparison.Ordinal)))
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    [Fact]
    public async Task ACa_WithAPlainTcpAddress_IsRefusedAtStart()
    {
        var options = new ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0"), TlsCaPath = _pki.CaPath };

        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(
            () => ObjectStorageServer.StartAsync(options, NullLoggerFactory.Instance, CancellationToken.None));

        Assert.Contains("not tls://", error.Message, StringComparison.Ordinal);
    }

    private Task<ServerFixture> StartAsync(ListLoggerFactory log, CancellationToken cancellationToken) =>
        ServerFixture.StartAsync(
            cancellationToken,
            configure: o =>
            {
                o.Address = ScalerAddress.Parse("tls://127.0.0.1:0");
                o.TlsCertificatePath = _server.CertificatePath;
                o.TlsKeyPath = _server.KeyPath;
                o.TlsCaPath = _pki.CaPath;
            },
            loggerFactory: log);

    private async Task<ObjectStorageClient> ConnectAsync(
        ServerFixture fixture, string identity, TestCertificate certificate, CancellationToken cancellationToken)
    {
        var tls = new TlsSettings { CertificatePath = certificate.CertificatePath, KeyPath = certificate.KeyPath, CaPath = _pki.CaPath };
        YmqOptions options = tls.ForConnectorToServer(new YmqOptions { Identity = identity, ConnectMaxRetries = 3 });
        return fixture.Track(
            await ObjectStorageClient.ConnectAsync(fixture.Address, options, NullLoggerFactory.Instance, cancellationToken));
    }
}
