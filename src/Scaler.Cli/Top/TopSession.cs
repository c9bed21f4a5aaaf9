using Microsoft.Extensions.Logging;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.Protocol;
using Scaler.Protocol.Messages;
using Scaler.Hosting.Sections;

namespace Scaler.Cli.Top;

/// <summary>
/// One run of <c>scaler_top</c>: connects to the scheduler's monitor address, and for every <see cref="StateScheduler"/>
/// it publishes, reads a pressed sort key and draws the table again. Other state messages are ignored. When nothing
/// arrives within <see cref="TopOptions.Timeout"/>, or the scheduler goes away, it stops with exit code 1.
/// </summary>
internal sealed partial class TopSession(TopOptions options, ITopScreen screen, ILogger logger, TimeProvider timeProvider)
{
    private TopSortState _sort = TopSortState.Default;

    /// <summary>Runs until <paramref name="shutdown"/> (exit code 0) or a failure (exit code 1).</summary>
    public async Task<int> RunAsync(CancellationToken shutdown)
    {
        var address = ScalerAddress.Parse(options.MonitorAddress);
        // With mutual TLS the monitor port admits only certificates with the monitor or admin role.
        var ymqOptions = options.Security.ToTlsSettings().ForConnectorToServer(new YmqOptions
        {
            Identity = $"{Environment.ProcessId}|top|{Guid.NewGuid()}",
            TimeProvider = timeProvider,
        });
        var connector = YmqConnector.Connect(address, ymqOptions, logger);
        await using (connector.ConfigureAwait(false))
        {
            while (!shutdown.IsCancellationRequested)
            {
                ReadOnlyMemory<byte> frame;
                using (var timeout = new CancellationTokenSource(options.Timeout, timeProvider))
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown, timeout.Token))
                {
                    try
                    {
                        frame = await connector.ReceiveAsync(linked.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
                    {
                        return 0;
                    }
                    catch (OperationCanceledException)
                    {
                        LogNoStatus(logger, address.ToString(), options.Timeout.TotalSeconds);
                        return 1;
                    }
                    catch (IOException e)
                    {
                        LogConnectionLost(logger, address.ToString(), e.Message);
                        return 1;
                    }
                }

                Handle(frame.Span);
            }
        }

        return 0;
    }

    private void Handle(ReadOnlySpan<byte> frame)
    {
        IMessage message;
        try
        {
            message = MessageCodec.Decode(frame);
        }
        catch (ProtocolException e)
        {
            LogBadMessage(logger, frame.Length, e.Message);
            return;
        }

        if (message is not StateScheduler state)
        {
            return;
        }

        if (screen.TryReadKey() is { } key)
        {
            _sort = _sort.Press(key);
        }

        screen.Show(TopView.Render(state, _sort));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "no status from the scheduler monitor at {Address} within {TimeoutSeconds} seconds")]
    private static partial void LogNoStatus(ILogger logger, string address, double timeoutSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "lost the scheduler monitor at {Address}: {Reason}")]
    private static partial void LogConnectionLost(ILogger logger, string address, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ignored a message of {Length} bytes that could not be decoded: {Reason}")]
    private static partial void LogBadMessage(ILogger logger, int length, string reason);
}
