using System.Globalization;
using Microsoft.Extensions.Logging;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.Protocol;
using Scaler.Protocol.Messages;
using Scaler.Hosting.Sections;

namespace Scaler.Cli.Top;

/// <summary>
/// One run of <c>scaler_top</c>: connects to the scheduler's monitor address and draws every
/// <see cref="StateScheduler"/> it publishes, with the rates <see cref="TaskRateMeter"/> makes of them and of the
/// <see cref="StateTask"/> messages between them; other messages are ignored. A key acts when pressed: a sort key
/// redraws the last state, <c>q</c> ends the run (exit code 0, as Ctrl-C). When nothing arrives within
/// <see cref="TopOptions.Timeout"/>, or the scheduler goes away, it stops with exit code 1.
/// </summary>
/// <remarks>
/// Pointed at the scheduler's own port (or anything else that connects but publishes nothing) it would show an empty
/// screen until the timeout: so it says at once what it waits for, and if nothing came after <see cref="HintAfter"/>
/// (or at the timeout, if that is sooner) it names the address it expected the monitor at, its port + 2.
/// </remarks>
internal sealed partial class TopSession(TopOptions options, ITopScreen screen, ILogger logger, TimeProvider timeProvider)
{
    /// <summary>How long to wait for a first message before the screen says where the monitor usually is.</summary>
    public static readonly TimeSpan HintAfter = TimeSpan.FromSeconds(3);

    /// <summary>The gap between a scheduler's port and its monitor's (the reference's default layout).</summary>
    private const int MonitorPortOffset = 2;

    private readonly TaskRateMeter _rates = new(timeProvider);
    private TopSortState _sort = TopSortState.Default;
    private (StateScheduler State, TopRates Rates)? _last;
    private bool _receivedAny;

    /// <summary>Runs until <paramref name="shutdown"/> or <c>q</c> (exit code 0) or a failure (exit code 1).</summary>
    public async Task<int> RunAsync(CancellationToken shutdown)
    {
        var address = ScalerAddress.Parse(options.MonitorAddress);
        // With mutual TLS the monitor port admits only certificates with the monitor or admin role.
        var ymqOptions = options.Security.ToTlsSettings().ForConnectorToServer(new YmqOptions
        {
            Identity = $"{Environment.ProcessId}|top|{Guid.NewGuid()}",
            TimeProvider = timeProvider,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        using var silence = new CancellationTokenSource(options.Timeout, timeProvider);
        var connector = YmqConnector.Connect(address, ymqOptions, logger);
        await using (connector.ConfigureAwait(false))
        {
            try
            {
                return await WatchAsync(connector, address, silence, stop.Token).ConfigureAwait(false);
            }
            finally
            {
                // Ends the pending receive and key read before the connector goes.
                await stop.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<int> WatchAsync(YmqConnector connector, ScalerAddress address, CancellationTokenSource silence, CancellationToken stop)
    {
        var silent = Task.Delay(Timeout.InfiniteTimeSpan, silence.Token);
        var hint = options.Timeout > HintAfter
            ? Task.Delay(HintAfter, timeProvider, stop)
            : Task.Delay(Timeout.InfiniteTimeSpan, stop);
        var receive = connector.ReceiveAsync(stop).AsTask();
        var key = screen.ReadKeyAsync(stop);
        screen.Show($"scaler_top: waiting for monitor messages from {address}");
        while (true)
        {
            var done = await Task.WhenAny(receive, key, silent, hint).ConfigureAwait(false);
            if (stop.IsCancellationRequested)
            {
                return 0;
            }

            if (done == receive)
            {
                ReadOnlyMemory<byte> frame;
                try
                {
                    frame = await receive.ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    LogConnectionLost(logger, address.ToString(), e.Message);
                    return 1;
                }

                _receivedAny = true;
                silence.CancelAfter(options.Timeout);
                Handle(frame.Span);
                receive = connector.ReceiveAsync(stop).AsTask();
            }
            else if (done == key)
            {
                if (!key.IsCompletedSuccessfully)
                {
                    // No keyboard after all (the console refused): watch on without keys, as with redirected input.
                    LogNoKeyboard(logger, key.Exception?.InnerException?.Message ?? "cancelled");
                    key = new TaskCompletionSource<char>().Task;
                    continue;
                }

                var pressed = await key.ConfigureAwait(false);
                if (pressed is 'q' or 'Q')
                {
                    return 0;
                }

                _sort = _sort.Press(pressed);
                Draw();
                key = screen.ReadKeyAsync(stop);
            }
            else if (done == hint)
            {
                if (!_receivedAny)
                {
                    var text = NoMessagesText(address, HintAfter);
                    LogStillWaiting(logger, text);
                    screen.Show("scaler_top: " + text);
                }

                hint = Task.Delay(Timeout.InfiniteTimeSpan, stop);
            }
            else
            {
                if (_receivedAny)
                {
                    LogNoStatus(logger, address.ToString(), options.Timeout.TotalSeconds);
                }
                else
                {
                    LogNoMonitorMessages(logger, NoMessagesText(address, options.Timeout));
                }

                return 1;
            }
        }
    }

    /// <summary>"no monitor messages from X within N seconds; the scheduler's monitor is usually on its port + 2, here Y".</summary>
    internal static string NoMessagesText(ScalerAddress address, TimeSpan waited)
    {
        ArgumentNullException.ThrowIfNull(address);
        var text = string.Create(CultureInfo.InvariantCulture, $"no monitor messages from {address} within {waited.TotalSeconds:0.#} seconds");
        return address.Port + MonitorPortOffset <= ushort.MaxValue
            ? $"{text}; the scheduler's monitor is usually on its port + {MonitorPortOffset}, here {address.WithPort(address.Port + MonitorPortOffset)}"
            : text;
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

        switch (message)
        {
            case StateTask task:
                _rates.Observe(task);
                break;
            case StateScheduler state:
                _last = (state, _rates.Sample(state));
                Draw();
                break;
        }
    }

    private void Draw()
    {
        if (_last is { } last)
        {
            screen.Show(TopView.Render(last.State, _sort, last.Rates, screen.Width));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "no status from the scheduler monitor at {Address} within {TimeoutSeconds} seconds")]
    private static partial void LogNoStatus(ILogger logger, string address, double timeoutSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Text}")]
    private static partial void LogNoMonitorMessages(ILogger logger, string text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Text}; still waiting")]
    private static partial void LogStillWaiting(ILogger logger, string text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "keys cannot be read, so q and the sort keys do nothing: {Reason}")]
    private static partial void LogNoKeyboard(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "lost the scheduler monitor at {Address}: {Reason}")]
    private static partial void LogConnectionLost(ILogger logger, string address, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ignored a message of {Length} bytes that could not be decoded: {Reason}")]
    private static partial void LogBadMessage(ILogger logger, int length, string reason);
}
