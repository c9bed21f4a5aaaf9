using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Scaler.Symphony.Local;

/// <summary>
/// Runs actions one at a time, in order, on a thread of its own loop: the local engine's callback thread of one
/// session (SOAM calls callbacks from its own threads, never from the caller of SendTaskInput).
/// </summary>
internal sealed partial class SerialDispatcher
{
    private readonly Channel<Action> _actions = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;

    public SerialDispatcher(ILogger logger)
    {
        _logger = logger;
        Completion = Task.Run(RunAsync);
    }

    public Task Completion { get; }

    public void Post(Action action) => _actions.Writer.TryWrite(action);

    public void Complete() => _actions.Writer.TryComplete();

    private async Task RunAsync()
    {
        await foreach (var action in _actions.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                action();
            }
#pragma warning disable CA1031 // A callback handler's exception must not stop delivery to the others.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogHandlerThrew(_logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "a session callback handler threw")]
    private static partial void LogHandlerThrew(ILogger logger, Exception exception);
}
