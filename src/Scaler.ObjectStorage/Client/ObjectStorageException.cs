namespace Scaler.ObjectStorage.Client;

/// <summary>
/// An object storage request failed: the connection was lost or closed before its answer came, or the server answered
/// something the protocol does not allow. When the connection was lost, the request may or may not have been carried
/// out by the server.
/// </summary>
public sealed class ObjectStorageException : IOException
{
    public ObjectStorageException(string message)
        : base(message)
    {
    }

    public ObjectStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ObjectStorageException()
    {
    }
}
