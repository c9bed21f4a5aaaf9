using System.Text;
using Microsoft.Extensions.Logging;
using Scaler.IO.Ymq;
using Scaler.Protocol;
using Scaler.Protocol.Messages;

namespace Scaler.WorkerManager.Common;

/// <summary>
/// What every dynamic worker manager does: connect to the scheduler as <c>&lt;pid&gt;|&lt;name&gt;|&lt;uuid&gt;</c>, send
/// WorkerManagerHeartbeat every interval, pass WorkerManagerCommand to the provisioner, and stop every unit on exit.
/// </summary>
public sealed partial class WorkerManagerRunner
{
    private readonly WorkerManagerRunnerOptions _options;
    private readonly IWorkerProvisioner _provisioner;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;

    public WorkerManagerRunner(WorkerManagerRunnerOptions options, IWorkerProvisioner provisioner, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(provisioner);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options;
        _provisioner = provisioner;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<WorkerManagerRunner>();
        Identity = WorkerManagerIdentity.Generate(options.Name);
    }

    public string Identity { get; }

    /// <summary>Runs until <paramref name="shutdown"/> or the scheduler goes away; then terminates the provisioner's units.</summary>
    public async Task<int> RunAsync(CancellationToken shutdown)
    {
        var exitCode = 0;
        var connector = YmqConnector.Connect(
            _options.SchedulerAddress,
            _options.Tls.ForConnectorToServer(new YmqOptions { Identity = Identity, TimeProvider = _options.TimeProvider }),
            _loggerFactory.CreateLogger<YmqConnector>());
        await using (connector.ConfigureAwait(false))
        {
            LogStarted(_logger, _options.WorkerManagerId, Identity, _options.SchedulerAddress.ToString());
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
            var heartbeats = HeartbeatLoopAsync(connector, stop.Token);
            try
            {
                await ReceiveLoopAsync(connector, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (YmqConnectException e)
            {
                LogSchedulerGone(_logger, e.Message);
                exitCode = 1;
            }
            catch (IOException e)
            {
                LogSchedulerGone(_logger, e.Message);
            }

            await stop.CancelAsync().ConfigureAwait(false);
            await heartbeats.ConfigureAwait(false);
            using var terminateTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _provisioner.TerminateAsync(terminateTimeout.Token).ConfigureAwait(false);
        }

        LogStopped(_logger, Identity);
        return exitCode;
    }

    private async Task ReceiveLoopAsync(YmqConnector connector, CancellationToken cancellationToken)
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
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _options.TimeProvider);
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
            // the receive loop sees the same loss and ends the run
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "worker manager {WorkerManagerId} ({Identity}) connecting to scheduler at {Address}")]
    private static partial void LogStarted(ILogger logger, string workerManagerId, string identity, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "worker manager {Identity} stopped")]
    private static partial void LogStopped(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "scheduler connection ended: {Reason}")]
    private static partial void LogSchedulerGone(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dropped an undecodable frame from the scheduler: {Reason}")]
    private static partial void LogBadFrame(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ignored unexpected message {Kind} from the scheduler")]
    private static partial void LogUnexpected(ILogger logger, string kind);
}
