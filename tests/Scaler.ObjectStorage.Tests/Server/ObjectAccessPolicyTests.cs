using System.Security.Cryptography;
using System.Text;
using Scaler.IO.Tls;
using Scaler.Identity;
using Scaler.ObjectStorage.Server;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Tests.Server;

/// <summary>
/// The access table of object storage with mutual TLS (docs/security.md), every role against every kind of request:
/// A allowed, F another owner's object, S another owner's source, R not for this role, M code whose content does not
/// hash to its ID.
/// </summary>
public sealed class ObjectAccessPolicyTests
{
    private const string Table = """
        request                 client  admin  worker  server  monitor  none  client+worker
        set-own                 A       A      A       R       R        R     A
        set-foreign             F       F      A       R       R        R     A
        set-code                A       A      A       R       R        R     A
        set-code-other-content  M       M      M       R       R        R     M
        get-own                 A       A      A       R       R        R     A
        get-foreign             F       F      A       R       R        R     A
        get-code                F       F      A       R       R        R     A
        duplicate-own-from-own  A       A      A       R       R        R     A
        duplicate-own-from-foreign S    S      A       R       R        R     A
        duplicate-foreign-from-own F    F      A       R       R        R     A
        delete-own              A       A      R       A       R        R     A
        delete-foreign          F       F      R       A       R        R     F
        delete-code             F       F      R       A       R        R     F
        info                    R       A      R       A       R        R     R
        """;

    private static readonly ObjectOwner Own = ObjectOwner.FromClientIdentity("Client|alice"u8);
    private static readonly ObjectOwner Foreign = ObjectOwner.FromClientIdentity("Client|bob"u8);
    private static readonly byte[] Code = Encoding.ASCII.GetBytes("the bytes of an assembly");
    private static readonly ObjectId CodeId = CodeIdOf(Code);

    public static TheoryData<string, string, string> Cells()
    {
        var cells = new TheoryData<string, string, string>();
        string[] lines = Table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string[] roles = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
        foreach (string line in lines[1..])
        {
            string[] cell = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(roles.Length + 1, cell.Length);
            for (int i = 0; i < roles.Length; i++)
            {
                cells.Add(cell[0], roles[i], cell[i + 1]);
            }
        }

        return cells;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Check_FollowsTheTable(string request, string role, string expected)
    {
        (ObjectRequestType type, ObjectId target, ObjectId source, byte[] content) = Request(request);

        ObjectAccessRefusal refusal = ObjectAccessPolicy.Check(Roles(role), Own, type, target, source, content);

        Assert.Equal(Expected(expected), refusal);
    }

    [Fact]
    public void Table_CoversEveryRoleAndEveryRequestType()
    {
        var rows = Cells().Select(row => ((string)row[0], (string)row[1])).ToList();
        Assert.Equal(14 * 7, rows.Count);
        foreach (ScalerRoles role in Enum.GetValues<ScalerRoles>())
        {
            Assert.Contains(rows, r => Roles(r.Item2) == role);
        }

        foreach (ObjectRequestType type in Enum.GetValues<ObjectRequestType>())
        {
            Assert.Contains(rows, r => Request(r.Item1).Type == type);
        }
    }

    [Fact]
    public void CodePrefix_IsTheAsciiTagScalerNetClientsStoreCodeUnder()
    {
        Span<byte> id = stackalloc byte[ObjectId.ByteLength];
        CodeId.WriteTo(id);

        Assert.Equal("SCALER.NET/CODE\0"u8.ToArray(), id[..16].ToArray());
    }

    [Fact]
    public void Reasons_NameTheRuleAndTheObject()
    {
        ObjectId foreign = ObjectId.Create(Foreign, 5);

        string reason = ObjectAccessPolicy.Reason(
            ObjectAccessRefusal.ForeignObject, ScalerRoles.Client, ObjectRequestType.GetObject, foreign, default);
        string role = ObjectAccessPolicy.Reason(
            ObjectAccessRefusal.RoleMayNot, ScalerRoles.Worker, ObjectRequestType.DeleteObject, foreign, default);

        Assert.Equal($"object {foreign} belongs to another owner: a client may only touch objects under its own prefix", reason);
        Assert.StartsWith("a peer with the roles worker may not make DeleteObject requests", role, StringComparison.Ordinal);
    }

    private static (ObjectRequestType Type, ObjectId Target, ObjectId Source, byte[] Content) Request(string name)
    {
        ObjectId own = ObjectId.Create(Own, 1);
        ObjectId ownSource = ObjectId.Create(Own, 2);
        ObjectId foreign = ObjectId.Create(Foreign, 1);
        return name switch
        {
            "set-own" => (ObjectRequestType.SetObject, own, default, [1, 2, 3]),
            "set-foreign" => (ObjectRequestType.SetObject, foreign, default, [1, 2, 3]),
            "set-code" => (ObjectRequestType.SetObject, CodeId, default, Code),
            "set-code-other-content" => (ObjectRequestType.SetObject, CodeId, default, [.. Code, 0]),
            "get-own" => (ObjectRequestType.GetObject, own, default, []),
            "get-foreign" => (ObjectRequestType.GetObject, foreign, default, []),
            "get-code" => (ObjectRequestType.GetObject, CodeId, default, []),
            "duplicate-own-from-own" => (ObjectRequestType.DuplicateObjectID, own, ownSource, []),
            "duplicate-own-from-foreign" => (ObjectRequestType.DuplicateObjectID, own, foreign, []),
            "duplicate-foreign-from-own" => (ObjectRequestType.DuplicateObjectID, foreign, ownSource, []),
            "delete-own" => (ObjectRequestType.DeleteObject, own, default, []),
            "delete-foreign" => (ObjectRequestType.DeleteObject, foreign, default, []),
            "delete-code" => (ObjectRequestType.DeleteObject, CodeId, default, []),
            "info" => (ObjectRequestType.InfoGetTotal, default, default, []),
            _ => throw new ArgumentException($"no request {name} in the table", nameof(name)),
        };
    }

    private static ScalerRoles Roles(string column) =>
        column.Split('+').Select(name => name == "none" ? ScalerRoles.None : ScalerRoleUris.Parse(ScalerRoleUris.Prefix + name))
            .Aggregate(ScalerRoles.None, (all, one) => all | one);

    private static ObjectAccessRefusal Expected(string letter) => letter switch
    {
        "A" => ObjectAccessRefusal.None,
        "F" => ObjectAccessRefusal.ForeignObject,
        "S" => ObjectAccessRefusal.ForeignSource,
        "R" => ObjectAccessRefusal.RoleMayNot,
        "M" => ObjectAccessRefusal.CodeContentMismatch,
        _ => throw new ArgumentException($"no outcome {letter}", nameof(letter)),
    };

    private static ObjectId CodeIdOf(byte[] content)
    {
        byte[] id = new byte[ObjectId.ByteLength];
        "SCALER.NET/CODE\0"u8.CopyTo(id);
        SHA256.HashData(content).AsSpan(0, 16).CopyTo(id.AsSpan(16));
        return ObjectId.FromBytes(id);
    }
}
