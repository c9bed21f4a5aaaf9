namespace Scaler.IO.Tls;

/// <summary>
/// What the holder of a certificate may do in a Scaler cluster with mutual TLS (docs/security.md). A certificate
/// carries its roles as subject-alternative-name URIs <c>urn:scaler:role:NAME</c> (<see cref="ScalerRoleUris"/>); a
/// certificate may carry several.
/// </summary>
[Flags]
public enum ScalerRoles
{
    /// <summary>No role: such a certificate is refused wherever a role is required.</summary>
    None = 0,

    /// <summary>Submits and cancels its own tasks, stores and reads its own objects.</summary>
    Client = 1,

    /// <summary>A worker, a worker manager or a processor: runs tasks, reports their results, reads every owner's objects.</summary>
    Worker = 2,

    /// <summary>Everything a client may do, plus shutting the cluster down and watching the monitor stream.</summary>
    Admin = 4,

    /// <summary>Watches the scheduler's monitor stream (<c>scaler_top</c>) and nothing else.</summary>
    Monitor = 8,

    /// <summary>
    /// A scheduler or an object storage server. Connectors configured with a CA accept only servers holding it, so a
    /// client's or worker's certificate cannot serve as an impostor scheduler; the scheduler also presents it to object
    /// storage, where it may delete any owner's objects (phase B).
    /// </summary>
    Server = 16,
}
