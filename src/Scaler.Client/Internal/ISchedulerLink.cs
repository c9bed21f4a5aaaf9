using Scaler.Protocol.Messages;

namespace Scaler.Internal;

/// <summary>How the client's parts send a message to the scheduler: <see cref="ClientConnections"/>, or a test's recorder.</summary>
internal interface ISchedulerLink
{
    ValueTask SendAsync(IMessage message, CancellationToken cancellationToken);
}
