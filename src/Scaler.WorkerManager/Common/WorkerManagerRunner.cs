using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Scaler.IO.Ymq;
using Scaler.Protocol;
using Scaler.Protocol.Messages;
using Scaler.Worker.Agent;

namespace Scaler.WorkerManager.Common;

/// <summary>
/// What every dynamic worker manager does: connect to the scheduler as <c>&lt;pid&gt;|&lt;name&gt;|&lt;uuid&gt;</c>, send
/// WorkerManagerHeartbeat every interval, pass WorkerManagerCommand to the provisioner, and stop every unit on exit.
/// A scheduler lost after it answered (killed, restarted, a broken connection) is tried again at once, then every
/// <see cref="ReconnectBackoff"/>, each time on a new connection (a restarted scheduler has a new identity, which a
/// YMQ connector refuses on reconnect), while the units keep running (workers reconnect by themselves); the manager
/// gives up, stopping its units, after <see cref="WorkerManagerRunnerOptions.SchedulerLossTimeout"/> without it.
/// </summary>
public sealed partial class WorkerManagerRunner
{
    private readonly WorkerManagerRunnerOptions _options;
    private readonly IWorkerProvisioner _provisioner;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>When the scheduler was lost, until a new connection is answered; -1 while connected.</summary>
    private long _lostAt = -1;

    public WorkerManagerRunner(WorkerManagerRunnerOptions options, IWorkerProvisioner provisioner, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(provisioner);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options;
        _provisioner = provisioner;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<WorkerManagerRunner>();
        _time = options.TimeProvider;
        Identity = WorkerManagerIdentity.Generate(options.Name);
    }

    public string Identity { get; }

    /// <summary>
    /// Runs until <paramref name="shutdown"/>, a scheduler never reached (exit code 1) or lost for longer than the
    /// loss timeout (exit code 1); then terminates the provisioner's units.
    /// </summary>
    public async Task<int> RunAsync(CancellationToken shutdown)
    {
        LogStarted(_logger, _options.WorkerManagerId, Identity, _options.SchedulerAddress.ToString());
        var exitCode = 0;
        var answeredOnce = false;
        var failedAttempts = 0;
        try
        {
            for (var link = 1; !shutdown.IsCancellationRequested; link++)
            {
                var (answered, reason) = await RunLinkAsync(link, shutdown).ConfigureAwait(false);
                if (shutdown.IsCancellationRequested)
                {
                    break;
                }

                if (answered)
                {
                    answeredOnce = true;
                    _lostAt = _time.GetTimestamp();
                    failedAttempts = 0;
                    LogSchedulerLost(_logger, _options.SchedulerAddress.ToString(), reason, _options.SchedulerLossTimeout.TotalSeconds);
                    continue;
                }

                if (!answeredOnce)
                {
                    LogSchedulerNeverReached(_logger, reason);
                    exitCode = 1;
                    break;
                }

                var without = _time.GetElapsedTime(_lostAt);
                if (without >= _options.SchedulerLossTimeout)
                {
                    LogGaveUp(_logger, _options.SchedulerAddress.ToString(), without.TotalSeconds);
                    exitCode = 1;
                    break;
                }

                failedAttempts++;
                var delay = ReconnectBackoff.After(failedAttempts);
                LogReconnectFailed(_logger, _options.SchedulerAddress.ToString(), failedAttempts, reason, delay.TotalSeconds, without.TotalSeconds);
                await Task.Delay(delay, _time, shutdown).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
        }

        using (var terminateTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30), _time))
        {
            await _provisioner.TerminateAsync(terminateTimeout.Token).ConfigureAwait(false);
        }

        LogStopped(_logger, Identity);
        return exitCode;
    }

    /// <summary>
    /// One connection to the scheduler, heartbeating and following its commands until it ends or
    /// <paramref name="shutdown"/>. Returns whether the scheduler answered on it, and why it ended.
    /// </summary>
    private async Task<(bool Answered, string Reason)> RunLinkAsync(int link, CancellationToken shutdown)
    {
        // The first connection tries as the reference does (8 retries from 200 ms); later ones make one attempt each,
        // paced by the caller.
        var options = _options.Tls.ForConnectorToServer(new YmqOptions { Identity = Identity, TimeProvider = _time });
        if (link > 1)
        {
            options.ConnectMaxRetries = 0;
        }

        var connector = YmqConnector.Connect(_options.SchedulerAddress, options, _loggerFactory.CreateLogger<YmqConnector>());
        await using (connector.ConfigureAwait(false))
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
            var reason = "the connection ended";

            // Any state but connected ends the link, including a broken connection the connector would retry by itself:
            // the scheduler behind it may be a new one.
            void OnStateChanged(object? sender, YmqConnectorStateChangedEventArgs e)
            {
                if (e.State != YmqConnectorState.Connected && !stop.IsCancellationRequested)
                {
                    reason = e.Error?.Message ?? $"the connection ended ({e.Reason?.ToString() ?? "closed"})";
                    stop.Cancel();
                }
            }

            connector.StateChanged += OnStateChanged;
            var answered = new StrongBox<bool>(false);
            var heartbeats = HeartbeatLoopAsync(connector, stop.Token);
            try
            {
                await ReceiveLoopAsync(connector, answered, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (IOException e)
            {
                reason = e.Message;
            }
            finally
            {
                connector.StateChanged -= OnStateChanged;
            }

            await stop.CancelAsync().ConfigureAwait(false);
            await heartbeats.ConfigureAwait(false);
            return (answered.Value, reason);
        }
    }

    private async Task ReceiveLoopAsync(YmqConnector connector, StrongBox<bool> answered, CancellationToken cancellationToken)
    {
        while (true)
        {
            var frame = await connector.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            IMessage message;
            try
            {
                message = MessageCodec.Decode(frame.Span);
            }
            catch (ProtocolException e)
            {
                LogBadFrame(_logger, e.Message);
                continue;
            }

            switch (message)
            {
                case WorkerManagerCommand command:
                    await _provisioner.SetDesiredTaskConcurrencyAsync(command.SetDesiredTaskConcurrencyRequests, cancellationToken).ConfigureAwait(false);
                    break;
                case WorkerManagerHeartbeatEcho when !answered.Value:
                    answered.Value = true;
                    if (_lostAt >= 0)
                    {
                        LogReconnected(_logger, _options.SchedulerAddress.ToString(), _time.GetElapsedTime(_lostAt).TotalSeconds);
                        _lostAt = -1;
                    }

                    break;
                case WorkerManagerHeartbeatEcho:
                    break;
                default:
                    LogUnexpected(_logger, message.Kind.ToString());
                    break;
            }
        }
    }

    private async Task HeartbeatLoopAsync(YmqConnector connector, CancellationToken cancellationToken)
    {
        var heartbeat = MessageCodec.Encode(new WorkerManagerHeartbeat
        {
            MaxTaskConcurrency = unchecked((uint)_options.MaxTaskConcurrency),
            Capabilities = _options.Capabilities.Select(c => new TaskCapability { Name = c.Key, Value = c.Value }).ToArray(),
            WorkerManagerID = Encoding.UTF8.GetBytes(_options.WorkerManagerId),
        });
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        try
        {
            do
            {
                await connector.SendAsync(heartbeat, cancellationToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // the receive loop sees the same loss and ends the link
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "worker manager {WorkerManagerId} ({Identity}) connecting to scheduler at {Address}")]
    private static partial void LogStarted(ILogger logger, string workerManagerId, string identity, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "worker manager {Identity} stopped")]
    private static partial void LogStopped(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Error, Message = "never connected to the scheduler: {Reason}")]
    private static partial void LogSchedulerNeverReached(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "lost the scheduler at {Address} ({Reason}); keeping the workers and reconnecting, for up to {Seconds} s without it")]
    private static partial void LogSchedulerLost(ILogger logger, string address, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "scheduler at {Address} not reached (try {Attempt}: {Reason}); next try in {Delay} s, {Seconds:0} s without it so far")]
    private static partial void LogReconnectFailed(ILogger logger, string address, int attempt, string reason, double delay, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "reconnected to the scheduler at {Address} after {Seconds:0.0} s")]
    private static partial void LogReconnected(ILogger logger, string address, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "no scheduler at {Address} for {Seconds:0} s: giving up, stopping the workers")]
    private static partial void LogGaveUp(ILogger logger, string address, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dropped an undecodable frame from the scheduler: {Reason}")]
    private static partial void LogBadFrame(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ignored unexpected message {Kind} from the scheduler")]
    private static partial void LogUnexpected(ILogger logger, string kind);
}
