using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Client;

/// <summary>A request sent and not answered yet; completed by the client's receive loop with the answer's type and payload.</summary>
internal sealed class PendingRequest : TaskCompletionSource<(ObjectResponseType Type, ReadOnlyMemory<byte> Payload)>
{
    public PendingRequest(ulong requestId, ObjectRequestType requestType)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        RequestId = requestId;
        RequestType = requestType;
    }

    public ulong RequestId { get; }

    public ObjectRequestType RequestType { get; }

    /// <summary>Whether <paramref name="type"/> is a valid answer to this request.</summary>
    public bool Accepts(ObjectResponseType type) => RequestType switch
    {
        ObjectRequestType.SetObject => type == ObjectResponseType.SetOK,
        ObjectRequestType.GetObject => type == ObjectResponseType.GetOK,
        ObjectRequestType.DeleteObject => type is ObjectResponseType.DelOK or ObjectResponseType.DelNotExists,
        ObjectRequestType.DuplicateObjectID => type == ObjectResponseType.DuplicateOK,
        ObjectRequestType.InfoGetTotal => type == ObjectResponseType.InfoGetTotalOK,
        _ => false,
    };
}
