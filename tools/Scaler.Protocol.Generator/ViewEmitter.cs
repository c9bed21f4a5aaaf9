namespace Scaler.Protocol.Generator;

/// <summary>Emits the zero-allocation reader views (<c>readonly ref struct</c>) over a struct.</summary>
public static class ViewEmitter
{
    public static void Emit(CodeWriter w, StructDeclaration structure)
    {
        var name = structure.ReaderName;
        w.Line($"/// <summary>Zero-allocation view of <see cref=\"{structure.CSharpPath}\"/>.</summary>");
        w.Open($"public readonly ref struct {name} : global::Scaler.Protocol.Capnp.IStructView<{name}>");
        w.Line("private readonly global::Scaler.Protocol.Capnp.StructReader _reader;");
        w.Line();
        w.Open($"internal {name}(global::Scaler.Protocol.Capnp.StructReader reader)");
        w.Line("_reader = reader;");
        w.Close();
        w.Line();
        w.Line($"static {name} global::Scaler.Protocol.Capnp.IStructView<{name}>.Create(global::Scaler.Protocol.Capnp.StructReader reader) => new(reader);");
        foreach (var field in structure.Fields)
        {
            w.Line();
            EmitAccessor(w, field);
        }

        w.Close();
    }

    private static void EmitAccessor(CodeWriter w, FieldDeclaration field)
    {
        var type = field.Type;
        var name = field.PropertyName;
        if (field.BitOffset is { } bit)
        {
            var offset = type.Kind == TypeKind.Bool ? bit : bit / 8;
            var read = $"_reader.{CSharpTypes.ReadMethod(type.Kind)}({offset})";
            w.Line(type.Kind == TypeKind.Enum
                ? $"public {type.Declaration!.CSharpPath} {name} => ({type.Declaration.CSharpPath}){read};"
                : $"public {CSharpTypes.Primitive(type.Kind)} {name} => {read};");
            return;
        }

        var index = field.PointerIndex!.Value;
        switch (type.Kind)
        {
            case TypeKind.Data:
                w.Line($"public global::System.ReadOnlySpan<byte> {name} => _reader.ReadData({index});");
                break;
            case TypeKind.Text:
                w.Line($"public global::System.ReadOnlySpan<byte> {name}Utf8 => _reader.ReadText({index});");
                w.Line();
                w.Line($"public string {name} => global::System.Text.Encoding.UTF8.GetString(_reader.ReadText({index}));");
                break;
            case TypeKind.Struct:
                w.Line($"public {type.Declaration!.ReaderName} {name} => new(_reader.ReadStruct({index}));");
                break;
            case TypeKind.List when type.Element!.Kind == TypeKind.Struct:
                var element = type.Element.Declaration!.ReaderName;
                w.Line($"public global::Scaler.Protocol.Capnp.StructList<{element}> {name} => _reader.ReadStructList<{element}>({index});");
                break;
            case TypeKind.List when type.Element.Kind == TypeKind.Data:
                w.Line($"public global::Scaler.Protocol.Capnp.DataList {name} => _reader.ReadDataList({index});");
                break;
            case TypeKind.List when type.Element.Kind == TypeKind.Enum:
                var enumeration = type.Element.Declaration!.CSharpPath;
                w.Line($"public global::Scaler.Protocol.Capnp.EnumList<{enumeration}> {name} => _reader.ReadEnumList<{enumeration}>({index});");
                break;
            default:
                throw new NotSupportedException($"pointer field of type {type.Kind}");
        }
    }
}
