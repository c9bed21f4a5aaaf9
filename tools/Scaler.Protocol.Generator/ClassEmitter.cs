namespace Scaler.Protocol.Generator;

/// <summary>Emits the message classes: properties, <c>Read</c> from a view, and the measure/write pair used to encode.</summary>
public static class ClassEmitter
{
    public static void EmitEnum(CodeWriter w, EnumDeclaration enumeration)
    {
        w.Open($"public enum {enumeration.CSharpName} : ushort");
        foreach (var (name, value) in enumeration.Members)
        {
            w.Line($"{Naming.Pascal(name)} = {value},");
        }

        w.Close();
    }

    public static void EmitClass(CodeWriter w, StructDeclaration structure, IReadOnlyDictionary<StructDeclaration, string> unionMembers)
    {
        var isMember = unionMembers.TryGetValue(structure, out var kind);
        w.Open($"public sealed partial class {structure.CSharpName}{(isMember ? " : IMessage" : string.Empty)}");
        w.Line($"internal const ushort DataWords = {structure.DataWords};");
        w.Line($"internal const ushort PointerCount = {structure.PointerCount};");
        if (isMember)
        {
            w.Line();
            w.Line($"public MessageKind Kind => MessageKind.{kind};");
        }

        foreach (var field in structure.Fields)
        {
            w.Line();
            w.Line($"public {CSharpTypes.Property(field.Type)} {field.PropertyName} {{ get; init; }}{Initializer(field.Type)}");
        }

        foreach (var nested in structure.Nested.OfType<StructDeclaration>())
        {
            if (structure.Fields.Any(f => f.PropertyName == nested.CSharpName))
            {
                throw new InvalidDataException($"struct {structure.Name}: nested struct {nested.Name} has the name of a property");
            }

            w.Line();
            EmitClass(w, nested, unionMembers);
        }

        w.Line();
        EmitRead(w, structure);
        w.Line();
        EmitMeasure(w, structure);
        w.Line();
        EmitWrite(w, structure);
        w.Close();
    }

    private static string Initializer(SchemaType type) => type.Kind switch
    {
        TypeKind.Text => " = \"\";",
        TypeKind.Data => " = global::System.Array.Empty<byte>();",
        TypeKind.List => $" = global::System.Array.Empty<{CSharpTypes.Property(type.Element!)}>();",
        TypeKind.Struct => " = new();",
        _ => string.Empty,
    };

    private static void EmitRead(CodeWriter w, StructDeclaration structure)
    {
        w.Open($"public static {structure.CSharpName} Read({structure.ReaderName} reader)");
        if (structure.Fields.Count == 0)
        {
            w.Line("return new();");
            w.Close();
            return;
        }

        w.Line("return new()");
        w.Line("{");
        foreach (var field in structure.Fields)
        {
            w.Line($"    {field.PropertyName} = {ReadExpression(field)},");
        }

        w.Line("};");
        w.Close();
    }

    private static string ReadExpression(FieldDeclaration field)
    {
        var source = "reader." + field.PropertyName;
        var type = field.Type;
        return type.Kind switch
        {
            TypeKind.Data => $"{source}.ToArray()",
            TypeKind.Struct => $"{type.Declaration!.CSharpPath}.Read({source})",
            TypeKind.List => type.Element!.Kind switch
            {
                TypeKind.Struct => $"global::Scaler.Protocol.Messages.ListDecoding.Structs({source}, {type.Element.Declaration!.CSharpPath}.Read)",
                TypeKind.Data => $"global::Scaler.Protocol.Messages.ListDecoding.Data({source})",
                TypeKind.Enum => $"global::Scaler.Protocol.Messages.ListDecoding.Enums({source})",
                _ => throw new NotSupportedException($"List({type.Element.Kind}) is not supported"),
            },
            _ => source,
        };
    }

    private static void EmitMeasure(CodeWriter w, StructDeclaration structure)
    {
        w.Line("/// <summary>Words this struct needs outside its own data and pointer sections.</summary>");
        w.Open("internal long MeasureContent()");
        w.Line("long words = 0;");
        foreach (var field in structure.Fields.Where(f => f.PointerIndex is not null))
        {
            var value = field.PropertyName;
            var type = field.Type;
            switch (type.Kind)
            {
                case TypeKind.Data:
                    w.Line($"words += global::Scaler.Protocol.Capnp.Words.OfData({value});");
                    break;
                case TypeKind.Text:
                    w.Line($"words += global::Scaler.Protocol.Capnp.Words.OfText({value});");
                    break;
                case TypeKind.Struct:
                    var path = type.Declaration!.CSharpPath;
                    w.Line($"words += {path}.DataWords + {path}.PointerCount + {value}.MeasureContent();");
                    break;
                case TypeKind.List when type.Element!.Kind == TypeKind.Struct:
                    var element = type.Element.Declaration!.CSharpPath;
                    w.Line($"words += 1 + ((long){value}.Count * ({element}.DataWords + {element}.PointerCount));");
                    w.Open($"for (var i = 0; i < {value}.Count; i++)");
                    w.Line($"words += {value}[i].MeasureContent();");
                    w.Close();
                    break;
                case TypeKind.List when type.Element.Kind == TypeKind.Data:
                    w.Line($"words += {value}.Count;");
                    w.Open($"for (var i = 0; i < {value}.Count; i++)");
                    w.Line($"words += global::Scaler.Protocol.Capnp.Words.OfData({value}[i]);");
                    w.Close();
                    break;
                case TypeKind.List when type.Element.Kind == TypeKind.Enum:
                    w.Line($"words += global::Scaler.Protocol.Capnp.Words.OfUInt16List({value}.Count);");
                    break;
                default:
                    throw new NotSupportedException($"pointer field of type {type.Kind}");
            }
        }

        w.Line("return words;");
        w.Close();
    }

    private static void EmitWrite(CodeWriter w, StructDeclaration structure)
    {
        w.Line("/// <summary>Writes the fields into the struct whose data section starts at word <paramref name=\"at\"/>.</summary>");
        w.Open("internal void Write(ref global::Scaler.Protocol.Capnp.SegmentWriter writer, int at)");
        foreach (var field in structure.Fields.Where(f => f.BitOffset is not null))
        {
            var bit = field.BitOffset!.Value;
            if (field.Type.Kind == TypeKind.Bool)
            {
                w.Line($"writer.SetBool(at, {bit}, {field.PropertyName});");
            }
            else
            {
                var (_, method) = CSharpTypes.Wire(field.Type.Kind);
                w.Line($"writer.Set{method}(at, {bit / 8}, {CSharpTypes.ToWire(field.Type.Kind, field.PropertyName)});");
            }
        }

        foreach (var field in structure.Fields.Where(f => f.PointerIndex is not null))
        {
            var pointer = $"at + {structure.DataWords + field.PointerIndex!.Value}";
            var value = field.PropertyName;
            var type = field.Type;
            switch (type.Kind)
            {
                case TypeKind.Data:
                    w.Line($"writer.WriteData({pointer}, {value});");
                    break;
                case TypeKind.Text:
                    w.Line($"writer.WriteText({pointer}, {value});");
                    break;
                case TypeKind.Struct:
                    var path = type.Declaration!.CSharpPath;
                    w.Line($"{value}.Write(ref writer, writer.WriteStruct({pointer}, {path}.DataWords, {path}.PointerCount));");
                    break;
                case TypeKind.List when type.Element!.Kind == TypeKind.Struct:
                    var element = type.Element.Declaration!.CSharpPath;
                    w.Open(string.Empty);
                    w.Line($"var first = writer.WriteCompositeList({pointer}, {value}.Count, {element}.DataWords, {element}.PointerCount);");
                    w.Open($"for (var i = 0; i < {value}.Count; i++)");
                    w.Line($"{value}[i].Write(ref writer, first + (i * ({element}.DataWords + {element}.PointerCount)));");
                    w.Close();
                    w.Close();
                    break;
                case TypeKind.List when type.Element.Kind == TypeKind.Data:
                    w.Open(string.Empty);
                    w.Line($"var first = writer.WritePointerList({pointer}, {value}.Count);");
                    w.Open($"for (var i = 0; i < {value}.Count; i++)");
                    w.Line($"writer.WriteData(first + i, {value}[i]);");
                    w.Close();
                    w.Close();
                    break;
                case TypeKind.List when type.Element.Kind == TypeKind.Enum:
                    w.Open(string.Empty);
                    w.Line($"var first = writer.WriteUInt16List({pointer}, {value}.Count);");
                    w.Open($"for (var i = 0; i < {value}.Count; i++)");
                    w.Line($"writer.SetUInt16At(first + (2 * i), (ushort){value}[i]);");
                    w.Close();
                    w.Close();
                    break;
                default:
                    throw new NotSupportedException($"pointer field of type {type.Kind}");
            }
        }

        w.Close();
    }
}
