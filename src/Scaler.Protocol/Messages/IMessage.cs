namespace Scaler.Protocol.Messages;

/// <summary>A member of the <c>Message</c> union: what one frame on a scheduler connection carries.</summary>
public interface IMessage
{
    MessageKind Kind { get; }
}
