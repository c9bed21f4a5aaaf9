using Microsoft.Extensions.Logging;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.ObjectStorage.Client;
using Scaler.Protocol;
using Scaler.Protocol.Messages;

namespace Scaler.Internal;

/// <summary>
/// The client's two connections: to the scheduler, started at once, and to the object storage, made once the scheduler
/// has named it (<see cref="ConnectStorageAsync"/>). Both retry without end, as the reference client's; what the
/// scheduler's transport last saw go wrong is kept for the message of a connect that gives up.
/// </summary>
internal sealed class ClientConnections : ISchedulerLink, IAsyncDisposable
{
    private readonly ClientOptions _options;
    private readonly string _identity;
    private volatile string? _lastTransportError;

    public ClientConnections(ScalerAddress scheduler, string identity, ClientOptions options)
    {
        _options = options;
        _identity = identity;
        Scheduler = YmqConnector.Connect(scheduler, ConnectorOptions(), options.LoggerFactory.CreateLogger<YmqConnector>());
        Scheduler.StateChanged += OnSchedulerStateChanged;
    }

    public YmqConnector Scheduler { get; }

    public ObjectStorageLink Storage { get; } = new();

    /// <summary>The last transport error of the scheduler connection (a refused or unreachable address), if any.</summary>
    public string? LastTransportError => _lastTransportError;

    /// <summary>Encodes a message and queues it on the scheduler connection (the connector writes it, in queue order).</summary>
    public ValueTask SendAsync(IMessage message, CancellationToken cancellationToken) =>
        Scheduler.SendAsync(MessageCodec.Encode(message), cancellationToken);

    public async Task ConnectStorageAsync(ScalerAddress address, CancellationToken cancellationToken) =>
        Storage.Attach(await ObjectStorageClient.ConnectAsync(address, ConnectorOptions(), _options.LoggerFactory, cancellationToken).ConfigureAwait(false));

    public async ValueTask DisposeAsync()
    {
        await Storage.DisposeAsync().ConfigureAwait(false);
        Scheduler.StateChanged -= OnSchedulerStateChanged;
        await Scheduler.DisposeAsync().ConfigureAwait(false);
    }

    private YmqOptions ConnectorOptions() => _options.Tls.ForConnectorToServer(new YmqOptions
    {
        Identity = _identity,
        ConnectMaxRetries = null,
        ConnectRetryMaxDelay = TimeSpan.FromSeconds(2),
        TimeProvider = _options.TimeProvider,
    });

    private void OnSchedulerStateChanged(object? sender, YmqConnectorStateChangedEventArgs e)
    {
        if (e.Error is { } error)
        {
            _lastTransportError = error.Message;
        }
    }
}
