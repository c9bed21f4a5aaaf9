using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Server;

namespace Scaler.ObjectStorage.Tests.Support;

/// <summary>Starts a server on 127.0.0.1 port 0 and clients to it; disposes them all, clients first.</summary>
internal sealed class ServerFixture : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _clients = [];

    private ServerFixture(ObjectStorageServer server)
    {
        Server = server;
    }

    public ObjectStorageServer Server { get; }

    public ScalerAddress Address => Server.LocalAddress;

    /// <summary>Bounds every network test.</summary>
    public static CancellationTokenSource Timeout() => new(TimeSpan.FromSeconds(20));

    public static async Task<ServerFixture> StartAsync(
        CancellationToken cancellationToken,
        long maxObjectBytes = 64 << 20,
        Action<ObjectStorageServerOptions>? configure = null,
        ILoggerFactory? loggerFactory = null)
    {
        var options = new ObjectStorageServerOptions
        {
            Address = ScalerAddress.Parse("tcp://127.0.0.1:0"),
            MaxObjectBytes = maxObjectBytes,
        };
        configure?.Invoke(options);
        return new ServerFixture(
            await ObjectStorageServer.StartAsync(options, loggerFactory ?? NullLoggerFactory.Instance, cancellationToken));
    }

    public async Task<ObjectStorageClient> ConnectAsync(
        string identity, CancellationToken cancellationToken, ScalerAddress? via = null)
    {
        var options = new YmqOptions
        {
            Identity = identity,
            ConnectRetryInitialDelay = TimeSpan.FromMilliseconds(5),
            ConnectRetryMaxDelay = TimeSpan.FromMilliseconds(50),
            ConnectMaxRetries = 3,
            MaxFrameBytes = 64 << 20,
        };
        ObjectStorageClient client = await ObjectStorageClient.ConnectAsync(via ?? Address, options, NullLoggerFactory.Instance, cancellationToken);
        _clients.Add(client);
        return client;
    }

    public async Task<RawYmqPeer> ConnectRawAsync(byte[] identity, CancellationToken cancellationToken)
    {
        RawYmqPeer peer = await RawYmqPeer.ConnectAsync(Address, identity, cancellationToken);
        _clients.Add(peer);
        return peer;
    }

    /// <summary>Disposes <paramref name="client"/> with the others (a client connected with options of the test's own).</summary>
    public T Track<T>(T client)
        where T : IAsyncDisposable
    {
        _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IAsyncDisposable client in _clients)
        {
            await client.DisposeAsync();
        }

        await Server.DisposeAsync();
    }
}
