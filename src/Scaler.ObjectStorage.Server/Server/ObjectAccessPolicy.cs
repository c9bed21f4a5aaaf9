using Scaler.IO.Tls;
using Scaler.Identity;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Server;

/// <summary>
/// Which requests a peer's certificate roles allow on which objects, when object storage requires certificates
/// (docs/security.md, "What object storage checks"). An object's first 16 bytes name its owner, the MD5 of the owning
/// client's identity (<see cref="ObjectOwner"/>); a requester's own prefix is that of its connection's identity.
/// </summary>
/// <remarks>
/// <para>The table, from what each component does with object storage:</para>
/// <list type="table">
/// <item><term>client, admin</term><description>set, get, delete objects under their own prefix (serializer,
/// functions, arguments, early result gets and their clean-up); duplicate when both IDs are their own; set code objects
/// (<see cref="CodeObjects"/>) whose content hashes to their ID. Admin alone may ask for the totals.</description></item>
/// <item><term>worker</term><description>workers, processors and the Symphony backend: get any object (a task's
/// function, arguments and serializer are its client's), set any (a result goes under its task's client's prefix),
/// duplicate any; never delete, never the totals.</description></item>
/// <item><term>server</term><description>the scheduler: delete any object (it deletes departed clients' objects and
/// released ones) and ask for the totals; nothing else. The launcher's readiness probe only connects.</description></item>
/// </list>
/// <para>A peer holding several roles may do what any of them allows. Every set of a code object, whoever makes it,
/// must carry content that hashes to the ID, so shared code cannot be replaced.</para>
/// </remarks>
internal static class ObjectAccessPolicy
{
    /// <summary>Roles that act on their own objects only.</summary>
    private const ScalerRoles OwnerRoles = ScalerRoles.Client | ScalerRoles.Admin;

    /// <summary>
    /// Whether a peer with <paramref name="roles"/> and owner prefix <paramref name="own"/> may make a request of
    /// <paramref name="type"/> on <paramref name="target"/> (for a duplicate, with source <paramref name="source"/>; for
    /// a set, with <paramref name="content"/>).
    /// </summary>
    public static ObjectAccessRefusal Check(
        ScalerRoles roles,
        ObjectOwner own,
        ObjectRequestType type,
        ObjectId target,
        ObjectId source,
        ReadOnlySpan<byte> content)
    {
        ObjectAccessRefusal refusal = ByRole(roles, own, type, target, source);
        if (refusal == ObjectAccessRefusal.None
            && type == ObjectRequestType.SetObject
            && CodeObjects.IsCode(target)
            && !CodeObjects.ContentMatches(target, content))
        {
            return ObjectAccessRefusal.CodeContentMismatch;
        }

        return refusal;
    }

    /// <summary>The reason sent to the peer and logged: names the request and the rule, never the peer's data.</summary>
    public static string Reason(ObjectAccessRefusal refusal, ScalerRoles roles, ObjectRequestType type, ObjectId target, ObjectId source) =>
        refusal switch
        {
            ObjectAccessRefusal.RoleMayNot =>
                $"a peer with the roles {ScalerRoleUris.Describe(roles)} may not make {type} requests (docs/security.md)",
            ObjectAccessRefusal.ForeignObject =>
                $"object {target} belongs to another owner: a client may only touch objects under its own prefix",
            ObjectAccessRefusal.ForeignSource =>
                $"the source object {source} belongs to another owner: a client may only duplicate its own objects",
            ObjectAccessRefusal.CodeContentMismatch =>
                $"code object {target} must hold the assembly whose SHA-256 begins with its last 16 bytes, and this content does not",
            ObjectAccessRefusal.NoCredentials => "the peer presented no certificate",
            _ => refusal.ToString(),
        };

    private static ObjectAccessRefusal ByRole(
        ScalerRoles roles, ObjectOwner own, ObjectRequestType type, ObjectId target, ObjectId source)
    {
        if ((roles & ScalerRoles.Worker) != 0 && type != ObjectRequestType.DeleteObject && type != ObjectRequestType.InfoGetTotal)
        {
            return ObjectAccessRefusal.None;
        }

        if ((roles & ScalerRoles.Server) != 0 && type is ObjectRequestType.DeleteObject or ObjectRequestType.InfoGetTotal)
        {
            return ObjectAccessRefusal.None;
        }

        if ((roles & ScalerRoles.Admin) != 0 && type == ObjectRequestType.InfoGetTotal)
        {
            return ObjectAccessRefusal.None;
        }

        if ((roles & OwnerRoles) == 0)
        {
            return ObjectAccessRefusal.RoleMayNot;
        }

        return type switch
        {
            ObjectRequestType.SetObject =>
                target.IsOwnedBy(own) || CodeObjects.IsCode(target) ? ObjectAccessRefusal.None : ObjectAccessRefusal.ForeignObject,
            ObjectRequestType.GetObject or ObjectRequestType.DeleteObject =>
                target.IsOwnedBy(own) ? ObjectAccessRefusal.None : ObjectAccessRefusal.ForeignObject,
            ObjectRequestType.DuplicateObjectID =>
                !target.IsOwnedBy(own) ? ObjectAccessRefusal.ForeignObject
                : !source.IsOwnedBy(own) ? ObjectAccessRefusal.ForeignSource
                : ObjectAccessRefusal.None,
            _ => ObjectAccessRefusal.RoleMayNot,
        };
    }
}
