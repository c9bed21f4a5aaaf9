using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Scaler.IO.Addressing;
using Scaler.IO.Threading;
using Scaler.IO.Ymq;
using Scaler.Protocol;
using Scaler.Protocol.Messages;

namespace Scaler.Worker.Agent;

/// <summary>
/// One connection of the agent to the scheduler: a connector of its own, the loop that reads it into the agent's
/// inbox, and the report (once) that it is gone. A link is never reconnected in place: the scheduler drops a worker
/// whose connection broke and gives its tasks away, and a restarted scheduler has another identity, which a YMQ
/// connector refuses on reconnect; so the agent opens a new link and registers again. Everything a link reports
/// carries its <see cref="Number"/>, and the agent ignores what comes from a link it has replaced.
/// </summary>
/// <remarks>
/// At most <see cref="MaxQueuedMessages"/> of its messages wait in the agent's inbox: past that the link stops
/// reading until the agent has taken one (<see cref="Consumed"/>), so the transport's receive budget, and then TCP,
/// hold back a scheduler that sends faster than the agent handles. A scheduler that keeps to the protocol never gets
/// near it (it sends at most the queue size the worker announced, plus echoes and cancels).
/// </remarks>
internal sealed partial class SchedulerLink : IAsyncDisposable
{
    private readonly YmqConnector _connector;
    private readonly ChannelWriter<AgentEvent> _inbox;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopReceiving = new();
    private readonly Task _receiveLoop;
    // Not disposed: the agent may still hand back messages of a link it has closed.
    private readonly SemaphoreSlim _room = new(MaxQueuedMessages, MaxQueuedMessages);
    private int _goneReported;

    /// <summary>Messages of one link that may wait in the agent's inbox at once.</summary>
    internal const int MaxQueuedMessages = 4096;

    private SchedulerLink(int number, YmqConnector connector, ChannelWriter<AgentEvent> inbox, ILogger logger)
    {
        Number = number;
        _connector = connector;
        _inbox = inbox;
        _logger = logger;
        _connector.StateChanged += OnStateChanged;
        _receiveLoop = ReceiveLoopAsync(_stopReceiving.Token);
    }

    public int Number { get; }

    /// <summary>Set when the scheduler answered a heartbeat on this link (it serves this worker).</summary>
    public bool Echoed { get; set; }

    public bool IsConnected => _connector.State == YmqConnectorState.Connected;

    /// <summary>Starts connecting in the background; frames sent before the connection is made wait in its queue.</summary>
    public static SchedulerLink Open(
        int number, ScalerAddress address, YmqOptions options, ILoggerFactory loggerFactory, ChannelWriter<AgentEvent> inbox, ILogger logger) =>
        new(number, YmqConnector.Connect(address, options, loggerFactory.CreateLogger<YmqConnector>()), inbox, logger);

    public ValueTask SendAsync(ReadOnlyMemory<byte> frame) => _connector.SendAsync(frame, CancellationToken.None);

    /// <summary>The agent has taken one of this link's messages from its inbox: one more may be read.</summary>
    public void Consumed() => _room.Release();

    /// <summary>Reports the link gone (once), e.g. when a send to it failed.</summary>
    public void ReportGone(Exception error)
    {
        if (Interlocked.Exchange(ref _goneReported, 1) == 0)
        {
            _inbox.TryWrite(new AgentEvent.SchedulerGone(Number, error));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _connector.StateChanged -= OnStateChanged;
        await _stopReceiving.CancelAsync().ConfigureAwait(false);
        await _connector.DisposeAsync().ConfigureAwait(false);
        await _receiveLoop.ConfigureAwait(false);
        _stopReceiving.Dispose();
    }

    /// <summary>
    /// Any state but connected is the end of this link: closed for good, or broken (the connector would reconnect
    /// by itself, but the scheduler has already dropped this worker and given its tasks away).
    /// </summary>
    private void OnStateChanged(object? sender, YmqConnectorStateChangedEventArgs e)
    {
        if (e.State != YmqConnectorState.Connected)
        {
            ReportGone(e.Error ?? new IOException($"the connection to the scheduler ended ({e.Reason?.ToString() ?? "closed"})"));
        }
    }

    [TurnChain]
    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        // Under the turn context: a task from the scheduler reaches the agent's loop, and its processor, on the
        // thread that read it (TurnContext).
        await TurnContext.SwitchTo();
        try
        {
            while (true)
            {
                // Room first: a full inbox stops the reads, not the agent's memory.
                await _room.WaitAsync(cancellationToken).ConfigureAwait(true);
                var frame = await _connector.ReceiveAsync(cancellationToken).ConfigureAwait(true);
                IMessage message;
                try
                {
                    message = MessageCodec.Decode(frame.Span);
                }
                catch (ProtocolException e)
                {
                    LogBadFrame(_logger, e.Message);
                    _room.Release();
                    continue;
                }

                _inbox.TryWrite(new AgentEvent.SchedulerMessage(this, message));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            ReportGone(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "dropped an undecodable frame from the scheduler: {Reason}")]
    private static partial void LogBadFrame(ILogger logger, string reason);
}
