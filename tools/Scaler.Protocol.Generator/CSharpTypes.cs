namespace Scaler.Protocol.Generator;

/// <summary>How schema types appear in the generated C#.</summary>
public static class CSharpTypes
{
    public static string Property(SchemaType type) => type.Kind switch
    {
        TypeKind.List => $"global::System.Collections.Generic.IReadOnlyList<{Property(type.Element!)}>",
        TypeKind.Struct or TypeKind.Enum => type.Declaration!.CSharpPath,
        _ => Primitive(type.Kind),
    };

    public static string Primitive(TypeKind kind) => kind switch
    {
        TypeKind.Bool => "bool",
        TypeKind.Int8 => "sbyte",
        TypeKind.Int16 => "short",
        TypeKind.Int32 => "int",
        TypeKind.Int64 => "long",
        TypeKind.UInt8 => "byte",
        TypeKind.UInt16 => "ushort",
        TypeKind.UInt32 => "uint",
        TypeKind.UInt64 => "ulong",
        TypeKind.Float32 => "float",
        TypeKind.Float64 => "double",
        TypeKind.Text => "string",
        TypeKind.Data => "byte[]",
        _ => throw new NotSupportedException($"type {kind} has no C# primitive"),
    };

    /// <summary>The unsigned wire type a data field is stored as, and its width in bytes.</summary>
    public static (string Name, string Method) Wire(TypeKind kind) => kind switch
    {
        TypeKind.Int8 or TypeKind.UInt8 => ("byte", "UInt8"),
        TypeKind.Int16 or TypeKind.UInt16 or TypeKind.Enum => ("ushort", "UInt16"),
        TypeKind.Int32 or TypeKind.UInt32 or TypeKind.Float32 => ("uint", "UInt32"),
        TypeKind.Int64 or TypeKind.UInt64 or TypeKind.Float64 => ("ulong", "UInt64"),
        _ => throw new NotSupportedException($"type {kind} is not a data field"),
    };

    public static string ReadMethod(TypeKind kind) => kind switch
    {
        TypeKind.Bool => "ReadBool",
        TypeKind.Int8 => "ReadInt8",
        TypeKind.Int16 => "ReadInt16",
        TypeKind.Int32 => "ReadInt32",
        TypeKind.Int64 => "ReadInt64",
        TypeKind.UInt8 => "ReadUInt8",
        TypeKind.UInt16 or TypeKind.Enum => "ReadUInt16",
        TypeKind.UInt32 => "ReadUInt32",
        TypeKind.UInt64 => "ReadUInt64",
        TypeKind.Float32 => "ReadFloat32",
        TypeKind.Float64 => "ReadFloat64",
        _ => throw new NotSupportedException($"type {kind} is not a data field"),
    };

    /// <summary>Converts a property value to its wire representation for the Set* writer methods.</summary>
    public static string ToWire(TypeKind kind, string value) => kind switch
    {
        TypeKind.Int8 => $"unchecked((byte){value})",
        TypeKind.Int16 => $"unchecked((ushort){value})",
        TypeKind.Int32 => $"unchecked((uint){value})",
        TypeKind.Int64 => $"unchecked((ulong){value})",
        TypeKind.Float32 => $"global::System.BitConverter.SingleToUInt32Bits({value})",
        TypeKind.Float64 => $"global::System.BitConverter.DoubleToUInt64Bits({value})",
        TypeKind.Enum => $"(ushort){value}",
        _ => value,
    };
}
