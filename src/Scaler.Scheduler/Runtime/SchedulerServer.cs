using System.Globalization;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Scaler.IO.Addressing;
using Scaler.IO.Threading;
using Scaler.IO.Tls;
using Scaler.IO.Ymq;
using Scaler.ObjectStorage.Server;
using Scaler.Scheduler.Policies;
using Scaler.Scheduler.Security;
using StorageServerOptions = Scaler.ObjectStorage.Server.ObjectStorageServerOptions;

namespace Scaler.Scheduler.Runtime;

/// <summary>
/// A running scheduler (the reference's <c>scaler_scheduler</c>): one binder for clients, workers and worker
/// managers, a monitor binder that publishes status, and, when no object storage address is given, an embedded
/// object storage server on the bind port + 1. Everything the scheduler decides happens on one loop; see
/// docs/scheduler.md.
/// </summary>
public sealed class SchedulerServer : IAsyncDisposable
{
    /// <summary>How long stopping may take in total before the rest is abandoned (bugs #888/#924: never hang).</summary>
    public static readonly TimeSpan StopBound = TimeSpan.FromSeconds(5);

    private const int EphemeralBindAttempts = 16;

    private static readonly TimeSpan CleanupInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FlushBound = TimeSpan.FromSeconds(1);

    /// <summary>Events of the main binder that may wait for the scheduler's loop at once.</summary>
    internal const int MaxQueuedBinderInputs = 65_536;

    private readonly YmqBinder _binder;
    private readonly YmqBinder _monitorBinder;
    private readonly ObjectStorageServer? _embeddedStorage;
    private readonly ObjectDeleter _deleter;
    private readonly BinderOutbox _outbox;
    private readonly BinderOutbox _monitorOutbox;
    private readonly SchedulerCore _core;
    private readonly Channel<SchedulerInput> _inputs = Channel.CreateUnbounded<SchedulerInput>(
        new UnboundedChannelOptions { SingleReader = true });

    // Bounds the binder's events in _inputs; when full it waits, and TCP holds the peers back (docs/transport.md).
    private readonly BinderInputPump _binderInputPump = new(MaxQueuedBinderInputs);

    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _sending = new();
    private readonly List<ITimer> _timers = [];
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;
    private Task _binderPump = Task.CompletedTask;
    private Task _monitorPump = Task.CompletedTask;
    private int _stopped;

    private SchedulerServer(
        YmqBinder binder,
        YmqBinder monitorBinder,
        ObjectStorageServer? embeddedStorage,
        ScalerAddress objectStorageAddress,
        SchedulerSettings settings,
        PolicyEngine policy,
        TlsSettings tls,
        TimeProvider time,
        ILoggerFactory loggerFactory)
    {
        _binder = binder;
        _monitorBinder = monitorBinder;
        _embeddedStorage = embeddedStorage;
        _logger = loggerFactory.CreateLogger<SchedulerServer>();
        ObjectStorageAddress = objectStorageAddress;
        AdvertisedObjectStorageAddress = settings.AdvertisedObjectStorageAddress;
        // The scheduler presents its own certificate to object storage. Its embedded server is itself, reached at the
        // address it bound (perhaps 0.0.0.0), which its certificate need not name.
        var deleterOptions = tls.ForConnectorToServer(new YmqOptions { Identity = binder.Identity.ToString() });
        deleterOptions.TlsCheckCertificateName = embeddedStorage is null;
        _deleter = new ObjectDeleter(objectStorageAddress, deleterOptions, loggerFactory);
        _outbox = new BinderOutbox(binder, _logger, _sending.Token);
        _monitorOutbox = new BinderOutbox(monitorBinder, _logger, _sending.Token);
        _core = new SchedulerCore(
            settings,
            policy,
            _outbox,
            _monitorOutbox,
            _deleter.Enqueue,
            time,
            loggerFactory.CreateLogger<SchedulerCore>(),
            new PeerAuthorizer(tls.VerifiesPeers, loggerFactory.CreateLogger<PeerAuthorizer>()));
    }

    /// <summary>The address clients, workers and worker managers connect to (the real port when 0 was asked).</summary>
    public ScalerAddress Address => _binder.LocalAddress;

    /// <summary>Where monitors (<c>scaler_top</c>) connect to receive status messages.</summary>
    public ScalerAddress MonitorAddress => _monitorBinder.LocalAddress;

    /// <summary>The object storage server the scheduler deletes released objects from.</summary>
    public ScalerAddress ObjectStorageAddress { get; }

    /// <summary>The object storage address told to clients and workers in heartbeat echoes.</summary>
    public ScalerAddress AdvertisedObjectStorageAddress { get; }

    /// <summary>Completes once the scheduler has stopped (a client's shutdown request, or <see cref="StopAsync"/>).</summary>
    public Task Completion => _completion.Task;

    internal SchedulerCore Core => _core;

    /// <summary>
    /// Checks the options, binds, starts the embedded object storage server when
    /// <see cref="SchedulerServerOptions.ObjectStorageAddress"/> is null, and starts the loop.
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range, or a CA is set for a <c>tcp://</c> bind address.</exception>
    public static Task<SchedulerServer> StartAsync(
        SchedulerServerOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken) =>
        StartAsync(options, loggerFactory, TimeProvider.System, cancellationToken);

    internal static async Task<SchedulerServer> StartAsync(
        SchedulerServerOptions options, ILoggerFactory loggerFactory, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(time);

        // Everything that can be wrong in the options is checked before anything is bound.
        options.Validate();
        var policy = PolicyEngineFactory.Create(options.Policy);
        var bindAddress = options.BindAddress;
        var storageAddress = options.ObjectStorageAddress;
        var advertised = options.AdvertisedObjectStorageAddress;
        var monitorAddress = options.MonitorAddress;
        var tls = options.Tls;

        var logger = loggerFactory.CreateLogger<SchedulerServer>();
        if (options.MaxTasksWaiting is { } maxTasksWaiting)
        {
            SchedulerLog.MaxTasksWaitingIgnored(logger, maxTasksWaiting);
        }

        var identity = string.Create(
            CultureInfo.InvariantCulture, $"{Environment.ProcessId}|scheduler|{Guid.NewGuid()}");

        // With a CA, the main port admits clients, admins and workers (each message is then checked against the role,
        // SchedulerCore.Authorization), and the monitor port only monitors and admins: it shows every client and task.
        // Every peer of the main port heartbeats (clients, workers, managers), so one silent for longer than the scheduler
        // would wait for either is dropped: a greeted connection that never speaks holds a slot and nothing else.
        var idle = options.ClientTimeout > options.WorkerTimeout ? options.ClientTimeout : options.WorkerTimeout;
        var ymqOptions = tls.ForBinder(
            Configured(options, new YmqOptions { Identity = identity, IdleTimeout = idle }), MessageRoles.ClientOrAdmin | ScalerRoles.Worker);
        var monitorOptions = tls.ForBinder(Configured(options, new YmqOptions { Identity = identity }), ScalerRoles.Monitor | ScalerRoles.Admin);

        // A bind port of 0 means "any port"; the embedded storage (+1) and the monitor (+2) follow it, and either
        // may already be taken by someone else. Then all three are released and another port is drawn, a bounded
        // number of times. With an explicit port the collision is the user's to see, so it is not retried.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(
                    options, bindAddress, storageAddress, advertised, monitorAddress, policy, tls, ymqOptions, monitorOptions,
                    logger, loggerFactory, time, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse
                && bindAddress.Port == 0 && attempt < EphemeralBindAttempts)
            {
                SchedulerLog.DerivedPortTaken(logger, attempt);
            }
        }
    }

    /// <summary>The transport settings with the operator's limits applied.</summary>
    private static YmqOptions Configured(SchedulerServerOptions options, YmqOptions transport)
    {
        options.ConfigureTransport?.Invoke(transport);
        return transport;
    }

    private static async Task<SchedulerServer> StartOnceAsync(
        SchedulerServerOptions options,
        ScalerAddress bindAddress,
        ScalerAddress? storageAddress,
        ScalerAddress? advertised,
        ScalerAddress? monitorAddress,
        PolicyEngine policy,
        TlsSettings tls,
        YmqOptions ymqOptions,
        YmqOptions monitorOptions,
        ILogger logger,
        ILoggerFactory loggerFactory,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        YmqBinder? binder = null;
        YmqBinder? monitorBinder = null;
        ObjectStorageServer? embedded = null;
        try
        {
            binder = await YmqBinder.BindAsync(
                bindAddress, ymqOptions, loggerFactory.CreateLogger<YmqBinder>(), cancellationToken).ConfigureAwait(false);
            var bound = binder.LocalAddress;
            if (storageAddress is null)
            {
                embedded = await ObjectStorageServer.StartAsync(
                    new StorageServerOptions
                    {
                        Address = bound.WithPort(bound.Port + 1),
                        TlsCertificatePath = tls.CertificatePath,
                        TlsKeyPath = tls.KeyPath,
                        TlsCaPath = tls.CaPath,
                        MaxObjectBytes = options.EmbeddedStorageMaxObjectBytes,
                        MaxTotalBytes = options.EmbeddedStorageMaxTotalBytes,
                        ConfigureTransport = options.ConfigureTransport,
                    },
                    loggerFactory,
                    cancellationToken).ConfigureAwait(false);
                storageAddress = embedded.LocalAddress;
                SchedulerLog.EmbeddedObjectStorage(logger, storageAddress.ToString());
            }

            monitorBinder = await YmqBinder.BindAsync(
                monitorAddress ?? bound.WithPort(bound.Port + 2),
                monitorOptions,
                loggerFactory.CreateLogger<YmqBinder>(),
                cancellationToken).ConfigureAwait(false);

            var settings = new SchedulerSettings(
                advertised ?? storageAddress,
                options.ClientTimeout,
                options.WorkerTimeout,
                SchedulerSettings.DefaultWorkerManagerTimeout,
                options.Protected,
                options.LoadBalanceTriggerTimes,
                options.ObjectRetention);
            var server = new SchedulerServer(
                binder, monitorBinder, embedded, storageAddress, settings, policy, tls, time, loggerFactory);
            server.Start(options, time);
            WarnWhatIsOpen(logger, tls, server);
            SchedulerLog.Started(
                logger,
                server.Address.ToString(),
                server.MonitorAddress.ToString(),
                storageAddress.ToString(),
                settings.AdvertisedObjectStorageAddress.ToString());
            return server;
        }
        catch
        {
            if (monitorBinder is not null)
            {
                await monitorBinder.DisposeAsync().ConfigureAwait(false);
            }

            if (embedded is not null)
            {
                await embedded.DisposeAsync().ConfigureAwait(false);
            }

            if (binder is not null)
            {
                await binder.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Stops the loop, flushes what is queued (bounded), and closes everything; never hangs.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            await _completion.Task.ConfigureAwait(false);
            return;
        }

        try
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            foreach (var timer in _timers)
            {
                await timer.DisposeAsync().ConfigureAwait(false);
            }

            await BoundedAsync("the scheduler loop", _loop).ConfigureAwait(false);

            // Replies already decided (a shutdown answer, workers told to stop) get a bounded chance to go out.
            await _outbox.FlushAsync(FlushBound).ConfigureAwait(false);
            await _monitorOutbox.FlushAsync(FlushBound).ConfigureAwait(false);
            await _sending.CancelAsync().ConfigureAwait(false);

            await BoundedAsync("the binder", _binder.DisposeAsync().AsTask()).ConfigureAwait(false);
            await BoundedAsync("the monitor binder", _monitorBinder.DisposeAsync().AsTask()).ConfigureAwait(false);
            await BoundedAsync("the binder event pumps", Task.WhenAll(_binderPump, _monitorPump)).ConfigureAwait(false);
            await BoundedAsync("the object deleter", _deleter.DisposeAsync().AsTask()).ConfigureAwait(false);
            if (_embeddedStorage is not null)
            {
                await BoundedAsync("the embedded object storage server", _embeddedStorage.DisposeAsync().AsTask())
                    .ConfigureAwait(false);
            }

            SchedulerLog.Stopped(_logger);
        }
        finally
        {
            _completion.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _sending.Dispose();
    }

    /// <summary>
    /// Runs a scheduler until <paramref name="shutdown"/> or a client's shutdown request: the CLI's entry point. Options
    /// it refuses are logged in one line and give exit code 2.
    /// </summary>
    public static async Task<int> RunAsync(SchedulerServerOptions options, ILoggerFactory loggerFactory, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger<SchedulerServer>();
        SchedulerServer server;
        try
        {
            server = await StartAsync(options, loggerFactory, shutdown).ConfigureAwait(false);
        }
        catch (ArgumentException error)
        {
            SchedulerRunLog.BadOptions(logger, error.Message);
            return 2;
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            return 0;
        }

        await using (server.ConfigureAwait(false))
        {
            try
            {
                await server.Completion.WaitAsync(shutdown).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
            {
                // Ctrl-C / SIGTERM: stop below.
            }
        }

        return 0;
    }

    /// <summary>One line at start that says who may do what: everyone everything, unless certificates are required.</summary>
    /// <remarks>An embedded object storage server says the same of itself.</remarks>
    private static void WarnWhatIsOpen(ILogger logger, TlsSettings tls, SchedulerServer server)
    {
        var address = server.Address;
        if (tls.VerifiesPeers)
        {
            SecurityLog.ClusterClosed(logger, address.ToString(), tls.CaPath!, server.MonitorAddress.ToString());
        }
        else
        {
            SecurityLog.ClusterOpen(logger, address.ToString(), address.IsSecure ? "TLS without tls_ca: encrypted, but peers are not asked for certificates" : "plain tcp://");
        }
    }

    private void Start(SchedulerServerOptions options, TimeProvider time)
    {
        _binderPump = _binderInputPump.RunAsync(_binder.Events, _inputs.Writer, _stopping.Token);
        _monitorPump = DrainMonitorAsync(_stopping.Token);
        AddTimer(time, TickKind.Cleanup, CleanupInterval);
        if (options.LoadBalanceInterval is { } balance)
        {
            AddTimer(time, TickKind.Balance, balance);
        }

        AddTimer(time, TickKind.Status, options.StatusReportInterval);
        _loop = RunLoopAsync(_stopping.Token);
    }

    private void AddTimer(TimeProvider time, TickKind kind, TimeSpan period)
    {
        var tick = new TickInput(kind);
        _timers.Add(time.CreateTimer(_ => _inputs.Writer.TryWrite(tick), null, period, period));
    }

    /// <summary>Monitors only listen: their arrivals and departures go to the loop; anything they send is dropped.</summary>
    private async Task DrainMonitorAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await foreach (var monitorEvent in _monitorBinder.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (monitorEvent is not YmqFrameReceived)
                {
                    _inputs.Writer.TryWrite(new MonitorInput(monitorEvent));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [TurnChain]
    private async Task RunLoopAsync(CancellationToken cancellationToken)
    {
        await TurnContext.SwitchTo();
        try
        {
            var inputs = _inputs.Reader;
            while (await inputs.WaitToReadAsync(cancellationToken).ConfigureAwait(true))
            {
                while (inputs.TryRead(out var input))
                {
                    try
                    {
                        _core.Handle(input);
                    }
#pragma warning disable CA1031 // one bad input (or a bug it exposes) must never take the whole scheduler down.
                    catch (Exception error)
#pragma warning restore CA1031
                    {
                        SchedulerLog.HandlerFailed(_logger, error);
                    }
                    finally
                    {
                        if (input is BinderInput)
                        {
                            _binderInputPump.Consumed();
                        }
                    }

                    if (_core.StopRequested)
                    {
                        // A client asked for shutdown: stop from outside the loop so StopAsync can wait for it.
                        _ = Task.Run(StopAsync, CancellationToken.None);
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task BoundedAsync(string what, Task task)
    {
        try
        {
            await task.WaitAsync(StopBound).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            SchedulerLog.StopTimedOut(_logger, what, StopBound.TotalMilliseconds);
        }
#pragma warning disable CA1031 // stopping goes on whatever one part threw.
        catch (Exception error) when (error is not OperationCanceledException)
#pragma warning restore CA1031
        {
            SchedulerLog.HandlerFailed(_logger, error);
        }
        catch (OperationCanceledException)
        {
            // Expected for the parts cancelled above.
        }
    }
}
