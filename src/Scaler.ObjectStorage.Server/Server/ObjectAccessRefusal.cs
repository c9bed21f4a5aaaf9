namespace Scaler.ObjectStorage.Server;

/// <summary>
/// Why a peer's certificate does not let it make a request (<see cref="None"/>: it does), as
/// <see cref="ObjectAccessPolicy"/> decides. A refused request changes nothing.
/// </summary>
internal enum ObjectAccessRefusal
{
    /// <summary>Allowed.</summary>
    None,

    /// <summary>No role the peer holds may make this kind of request at all (a worker's delete, a client's totals).</summary>
    RoleMayNot,

    /// <summary>The object's owner prefix is not the requester's own.</summary>
    ForeignObject,

    /// <summary>The source of a duplicate has an owner prefix that is not the requester's own.</summary>
    ForeignSource,

    /// <summary>A set of a code object whose content does not hash to its ID (<see cref="CodeObjects"/>).</summary>
    CodeContentMismatch,

    /// <summary>The server requires certificates, and it has none for this peer (never expected: the binder refuses such a peer).</summary>
    NoCredentials,
}
