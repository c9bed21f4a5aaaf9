using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.IO.Tests.Support;
using Scaler.IO.Tls;
using Scaler.IO.Ymq;
using Scaler.Testing;

namespace Scaler.IO.Tests.Tls;

/// <summary>A tls:// binder with a CA file requires client certificates; roles come from the certificates' SAN URIs.</summary>
public sealed class MutualTlsTests : IDisposable
{
    private static readonly ScalerAddress TlsLoopback = ScalerAddress.Parse("tls://127.0.0.1:0");

    private readonly TestPki _pki = TestPki.Create();
    private readonly TestCertificate _server;

    public MutualTlsTests() => _server = _pki.Issue("scheduler", "server");

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task Binder_WithCa_AcceptsAPeerCertificateFromIt_AndReportsItsRoles()
    {
        using var cts = Net.Timeout();
        var alice = _pki.Issue("alice", "client", "admin");
        await using var binder = await BindAsync(ScalerRoles.None, NullLogger.Instance, cts.Token);

        await using var connector = await YmqConnector.ConnectAsync(binder.LocalAddress, Connector("C", alice), NullLogger.Instance, cts.Token);
        var connected = await binder.Events.NextAsync<YmqPeerConnected>(cts.Token);

        Assert.NotNull(connected.Credentials);
        Assert.Equal(ScalerRoles.Client | ScalerRoles.Admin, connected.Credentials.Roles);
        Assert.Equal("CN=alice", connected.Credentials.Subject);
        Assert.Equal(64, connected.Credentials.CertificateHash.Length);
        await connector.SendAsync("hello"u8.ToArray(), cts.Token);
        Assert.Equal("hello"u8.ToArray(), (await binder.Events.NextAsync<YmqFrameReceived>(cts.Token)).Payload.ToArray());
    }

    [Fact]
    public async Task Binder_WithoutCa_ReportsNoCredentials()
    {
        using var cts = Net.Timeout();
        await using var binder = await YmqBinder.BindAsync(
            TlsLoopback, Net.Options("B", o => { o.TlsCertificatePath = _server.CertificatePath; o.TlsKeyPath = _server.KeyPath; }), NullLogger.Instance, cts.Token);

        await using var connector = await YmqConnector.ConnectAsync(binder.LocalAddress, Net.Options("C"), NullLogger.Instance, cts.Token);

        Assert.Null((await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Credentials);
    }

    [Fact]
    public async Task Binder_WithCa_RefusesAPeerWithoutCertificate_AndLogsWhy()
    {
        using var cts = Net.Timeout();
        var log = new ListLogger();
        await using var binder = await BindAsync(ScalerRoles.None, log, cts.Token);

        await Assert.ThrowsAsync<YmqConnectException>(() => YmqConnector.ConnectAsync(
            binder.LocalAddress, Net.Options("anonymous", o => { o.TlsCaPath = _pki.CaPath; o.ConnectMaxRetries = 0; }), NullLogger.Instance, cts.Token));

        var line = await WaitForLineAsync(log, "refused", cts.Token);
        Assert.Contains("presented no certificate", line, StringComparison.Ordinal);
        Assert.Empty(binder.ConnectedPeers);
    }

    [Fact]
    public async Task Binder_WithCa_RefusesACertificateFromAnotherCa()
    {
        using var cts = Net.Timeout();
        using var otherPki = TestPki.Create("someone-else");
        var stranger = otherPki.Issue("mallory", "client");
        var log = new ListLogger();
        await using var binder = await BindAsync(ScalerRoles.None, log, cts.Token);

        await Assert.ThrowsAsync<YmqConnectException>(() => YmqConnector.ConnectAsync(
            binder.LocalAddress, Connector("mallory", stranger, o => o.ConnectMaxRetries = 0), NullLogger.Instance, cts.Token));

        var line = await WaitForLineAsync(log, "refused", cts.Token);
        Assert.Contains("CN=mallory is not accepted by the CA file", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binder_AcceptedRoles_RefuseACertificateWithoutOne_AndAdmitOneWithIt()
    {
        using var cts = Net.Timeout();
        var client = _pki.Issue("client", "client");
        var monitor = _pki.Issue("top", "monitor");
        var log = new ListLogger();
        await using var binder = await BindAsync(ScalerRoles.Monitor | ScalerRoles.Admin, log, cts.Token);

        await Assert.ThrowsAsync<YmqConnectException>(() => YmqConnector.ConnectAsync(
            binder.LocalAddress, Connector("client", client, o => o.ConnectMaxRetries = 0), NullLogger.Instance, cts.Token));
        await using var watcher = await YmqConnector.ConnectAsync(binder.LocalAddress, Connector("top", monitor), NullLogger.Instance, cts.Token);

        var line = await WaitForLineAsync(log, "refused", cts.Token);
        Assert.Contains("holds role client, this port accepts admin+monitor", line, StringComparison.Ordinal);
        Assert.Equal(ScalerRoles.Monitor, (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Credentials!.Roles);
    }

    [Fact]
    public async Task Connector_RequiringTheServerRole_RefusesAServerWhoseCertificateLacksIt()
    {
        using var cts = Net.Timeout();
        var impostor = _pki.Issue("rogue-client", "client");
        await using var binder = await YmqBinder.BindAsync(
            TlsLoopback, Net.Options("B", o => { o.TlsCertificatePath = impostor.CertificatePath; o.TlsKeyPath = impostor.KeyPath; }), NullLogger.Instance, cts.Token);

        var error = await Assert.ThrowsAsync<YmqConnectException>(() => YmqConnector.ConnectAsync(
            binder.LocalAddress,
            Net.Options("C", o => { o.TlsCaPath = _pki.CaPath; o.TlsAcceptedPeerRoles = ScalerRoles.Server; o.ConnectMaxRetries = 0; }),
            NullLogger.Instance,
            cts.Token));

        Assert.Contains("CN=rogue-client holds role client, this port accepts server", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binder_WithCa_RefusesAnotherCertificateClaimingAConnectedIdentity_ButLetsTheSameOneReconnect()
    {
        using var cts = Net.Timeout();
        var victim = _pki.Issue("victim", "client");
        var rogue = _pki.Issue("rogue", "client");
        var log = new ListLogger();
        await using var binder = await BindAsync(ScalerRoles.None, log, cts.Token);
        await using var first = await YmqConnector.ConnectAsync(binder.LocalAddress, Connector("Client|victim", victim), NullLogger.Instance, cts.Token);
        var peer = (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer;

        // The rogue completes TLS and the greeting, then the binder closes it: the connector sees an orderly close.
        await using var takeover = YmqConnector.Connect(binder.LocalAddress, Connector("Client|victim", rogue), NullLogger.Instance);
        await WaitForLineAsync(log, "identity already connected with another certificate", cts.Token);
        Assert.True(await binder.SendAsync(peer, "still yours"u8.ToArray(), cts.Token));
        Assert.Equal("still yours"u8.ToArray(), (await first.ReceiveAsync(cts.Token)).ToArray());

        await using var again = await YmqConnector.ConnectAsync(binder.LocalAddress, Connector("Client|victim", victim), NullLogger.Instance, cts.Token);
        Assert.Equal(YmqDisconnectReason.Replaced, (await binder.Events.NextAsync<YmqPeerDisconnected>(cts.Token)).Reason);
        Assert.Equal("CN=victim", (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Credentials!.Subject);
    }

    [Fact]
    public void RoleUris_ReadEveryRoleOfACertificate_AndIgnoreOthers()
    {
        var both = _pki.Issue("both", "worker", "monitor", "unknown-role");
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(both.CertificatePath, both.KeyPath);

        Assert.Equal(ScalerRoles.Worker | ScalerRoles.Monitor, ScalerRoleUris.Read(certificate));
        Assert.Equal(["urn:scaler:role:client", "urn:scaler:role:server"], ScalerRoleUris.For(ScalerRoles.Client | ScalerRoles.Server));
        Assert.Equal(ScalerRoles.Admin, ScalerRoleUris.Parse("URN:SCALER:ROLE:ADMIN"));
        Assert.Equal(ScalerRoles.None, ScalerRoleUris.Parse("urn:other:role:admin"));
    }

    /// <summary>The first log line containing <paramref name="text"/>, waited for (bounded by the token).</summary>
    private static async Task<string> WaitForLineAsync(ListLogger log, string text, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (log.Messages.FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal)) is { } found)
            {
                return found;
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    private Task<YmqBinder> BindAsync(ScalerRoles accepted, Microsoft.Extensions.Logging.ILogger logger, CancellationToken cancellationToken) =>
        YmqBinder.BindAsync(
            TlsLoopback,
            Net.Options("B", o =>
            {
                o.TlsCertificatePath = _server.CertificatePath;
                o.TlsKeyPath = _server.KeyPath;
                o.TlsCaPath = _pki.CaPath;
                o.TlsAcceptedPeerRoles = accepted;
            }),
            logger,
            cancellationToken);

    private YmqOptions Connector(string identity, TestCertificate certificate, Action<YmqOptions>? configure = null) =>
        Net.Options(identity, o =>
        {
            o.TlsCertificatePath = certificate.CertificatePath;
            o.TlsKeyPath = certificate.KeyPath;
            o.TlsCaPath = _pki.CaPath;
            o.TlsAcceptedPeerRoles = ScalerRoles.Server;
            configure?.Invoke(o);
        });
}
