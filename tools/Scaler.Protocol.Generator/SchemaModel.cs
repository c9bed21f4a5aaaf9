namespace Scaler.Protocol.Generator;

/// <summary>One schema file as read from its <c>capnp compile -ocapnp</c> layout.</summary>
public sealed class SchemaFile(string name)
{
    /// <summary>The file name without extension, e.g. "message".</summary>
    public string Name { get; } = name;

    public List<Declaration> Declarations { get; } = [];
}

public abstract class Declaration(string name, SchemaFile file, StructDeclaration? parent)
{
    public string Name { get; } = name;

    public SchemaFile File { get; } = file;

    public StructDeclaration? Parent { get; } = parent;

    /// <summary>The C# type name: the schema name, except top-level <c>Task</c>, which would clash with System.Threading.Tasks.Task.</summary>
    public string CSharpName => Parent is null && Name == "Task" ? "TaskMessage" : Name;

    /// <summary>
    /// The C# type as written from the namespace: structs nest like the schema (<c>TaskMessage.Argument</c>), enums are
    /// always top-level (several schema structs have a field named like their nested enum, e.g. TaskLog.logType).
    /// </summary>
    public string CSharpPath => Parent is null || this is EnumDeclaration ? CSharpName : Parent.CSharpPath + "." + CSharpName;

    /// <summary>Name of the generated reader view: the C# path joined, plus "Reader".</summary>
    public string ReaderName => CSharpPath.Replace(".", string.Empty, StringComparison.Ordinal) + "Reader";
}

public sealed class StructDeclaration(string name, SchemaFile file, StructDeclaration? parent, int dataWords, int pointerCount)
    : Declaration(name, file, parent)
{
    public int DataWords { get; } = dataWords;

    public int PointerCount { get; } = pointerCount;

    public List<FieldDeclaration> Fields { get; } = [];

    public List<Declaration> Nested { get; } = [];

    /// <summary>Bit offset of the union tag when the struct has an unnamed union.</summary>
    public int? UnionTagBit { get; set; }
}

public sealed class EnumDeclaration(string name, SchemaFile file, StructDeclaration? parent) : Declaration(name, file, parent)
{
    public List<(string Name, int Value)> Members { get; } = [];
}

public sealed class FieldDeclaration(string name, int ordinal, string typeText, int? bitOffset, int? pointerIndex, int? unionTag)
{
    public string Name { get; } = name;

    public int Ordinal { get; } = ordinal;

    public string TypeText { get; } = typeText;

    /// <summary>Offset in bits within the data section (data fields).</summary>
    public int? BitOffset { get; } = bitOffset;

    /// <summary>Index within the pointer section (pointer fields).</summary>
    public int? PointerIndex { get; } = pointerIndex;

    public int? UnionTag { get; } = unionTag;

    public SchemaType Type { get; set; } = SchemaType.Void;

    public string PropertyName => Naming.Pascal(Name);
}

public enum TypeKind
{
    Void,
    Bool,
    Int8,
    Int16,
    Int32,
    Int64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Float32,
    Float64,
    Text,
    Data,
    List,
    Struct,
    Enum,
}

public sealed record SchemaType(TypeKind Kind, SchemaType? Element = null, Declaration? Declaration = null)
{
    public static SchemaType Void { get; } = new(TypeKind.Void);
}

public static class Naming
{
    /// <summary>Upper-cases the first letter and keeps the rest as written (<c>workerManagerID</c> -> <c>WorkerManagerID</c>).</summary>
    public static string Pascal(string name) => char.ToUpperInvariant(name[0]) + name[1..];
}
