namespace Scaler.ObjectStorage.Client;

/// <summary>
/// An object storage request failed: the server refused it (<see cref="IsRefusal"/>: the object is larger than the
/// server's limit, the store is full, too many requests wait), the connection was lost or closed before its answer
/// came, or the server answered something the protocol does not allow. When the connection was lost, the request may or
/// may not have been carried out by the server; a refused request was not.
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

    internal ObjectStorageException(string message, bool isRefusal)
        : base(message)
    {
        IsRefusal = isRefusal;
    }

    /// <summary>
    /// The server (or the client, for an object over the limit the server announced) refused the request: it was not
    /// carried out, and sending it again unchanged fails again until the server's state changes (the store has room).
    /// </summary>
    public bool IsRefusal { get; }
}
