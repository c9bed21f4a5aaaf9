using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.IO.Tests.Support;
using Scaler.IO.Ymq;

namespace Scaler.IO.Tests.Ymq;

public sealed class TlsTests
{
    private static readonly ScalerAddress TlsLoopback = ScalerAddress.Parse("tls://127.0.0.1:0");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Tls_RoundTrip_WithOrWithoutCaFile(bool verify)
    {
        using var cts = Net.Timeout();
        using var certs = new TestCertificates();
        await using var binder = await YmqBinder.BindAsync(
            TlsLoopback, Net.Options("B", o => { o.TlsCertificatePath = certs.CertificatePath; o.TlsKeyPath = certs.KeyPath; }), NullLogger.Instance, cts.Token);
        Assert.Equal(ScalerScheme.Tls, binder.LocalAddress.Scheme);

        await using var connector = await YmqConnector.ConnectAsync(
            binder.LocalAddress, Net.Options("C", o => o.TlsCaPath = verify ? certs.CertificatePath : null), NullLogger.Instance, cts.Token);
        var peer = (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer;
        var big = new byte[3 << 20];
        new Random(3).NextBytes(big);
        await connector.SendAsync(big, cts.Token);
        await connector.SendAsync("small"u8.ToArray(), cts.Token);

        Assert.True((await binder.Events.NextAsync<YmqFrameReceived>(cts.Token)).Payload.Span.SequenceEqual(big));
        Assert.Equal("small"u8.ToArray(), (await binder.Events.NextAsync<YmqFrameReceived>(cts.Token)).Payload.ToArray());
        Assert.True(await binder.SendAsync(peer, "reply"u8.ToArray(), cts.Token));
        Assert.Equal("reply"u8.ToArray(), (await connector.ReceiveAsync(cts.Token)).ToArray());
        Assert.Equal("B", connector.RemoteIdentity.ToString());
    }

    [Fact]
    public async Task Tls_ServerCertificateNotFromTheCa_IsRejected()
    {
        using var cts = Net.Timeout();
        using var server = new TestCertificates("server");
        using var otherCa = new TestCertificates("someone-else");
        await using var binder = await YmqBinder.BindAsync(
            TlsLoopback, Net.Options("B", o => { o.TlsCertificatePath = server.CertificatePath; o.TlsKeyPath = server.KeyPath; }), NullLogger.Instance, cts.Token);

        var error = await Assert.ThrowsAsync<YmqConnectException>(() => YmqConnector.ConnectAsync(
            binder.LocalAddress, Net.Options("C", o => { o.TlsCaPath = otherCa.CertificatePath; o.ConnectMaxRetries = 0; }), NullLogger.Instance, cts.Token));

        Assert.StartsWith($"could not connect to {binder.LocalAddress} after 1 attempt: TLS handshake failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsBinder_PlainTcpPeer_IsDropped_AndTlsPeersStillWork()
    {
        using var cts = Net.Timeout();
        using var certs = new TestCertificates();
        await using var binder = await YmqBinder.BindAsync(
            TlsLoopback, Net.Options("B", o => { o.TlsCertificatePath = certs.CertificatePath; o.TlsKeyPath = certs.KeyPath; }), NullLogger.Instance, cts.Token);
        var plain = ScalerAddress.Create(ScalerScheme.Tcp, "127.0.0.1", binder.LocalAddress.Port);

        await Assert.ThrowsAsync<YmqConnectException>(() =>
            YmqConnector.ConnectAsync(plain, Net.Options("plain", o => o.ConnectMaxRetries = 0), NullLogger.Instance, cts.Token));
        await using var good = await YmqConnector.ConnectAsync(binder.LocalAddress, Net.Options("good"), NullLogger.Instance, cts.Token);

        Assert.Equal("good", (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer.ToString());
    }

    [Fact]
    public async Task TlsBinder_WithoutCertificate_FailsClearly()
    {
        using var cts = Net.Timeout();

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            YmqBinder.BindAsync(TlsLoopback, Net.Options("B"), NullLogger.Instance, cts.Token));

        Assert.Contains("TlsCertificatePath", error.Message, StringComparison.Ordinal);
    }
}
