namespace Scaler.Protocol.Generator;

/// <summary>
/// Emits the <c>Message</c> union: <c>MessageKind</c>, the zero-allocation <c>MessageReader</c> root and the
/// internal <c>MessageUnion</c> that decodes and encodes whichever member is set.
/// </summary>
public static class UnionEmitter
{
    public static void Emit(CodeWriter w, StructDeclaration message)
    {
        var tagByte = message.UnionTagBit!.Value / 8;
        var members = message.Fields.Where(f => f.UnionTag is not null).OrderBy(f => f.UnionTag).ToList();

        w.Line("/// <summary>Which member of the <c>Message</c> union a frame holds; values are the union tags.</summary>");
        w.Open("public enum MessageKind : ushort");
        foreach (var member in members)
        {
            w.Line($"{member.PropertyName} = {member.UnionTag},");
        }

        w.Close();
        w.Line();

        w.Line("/// <summary>Zero-allocation root view of one <c>Message</c> frame. Keep it in a local.</summary>");
        w.Open("public ref struct MessageReader");
        w.Line("private global::Scaler.Protocol.Capnp.MessageRoot _root;");
        w.Line();
        w.Open("private MessageReader(global::Scaler.Protocol.Capnp.MessageRoot root)");
        w.Line("_root = root;");
        w.Close();
        w.Line();
        w.Line("/// <summary>Checks the segment table; the members are read lazily.</summary>");
        w.Line("public static MessageReader Open(global::System.ReadOnlySpan<byte> frame, global::Scaler.Protocol.ReaderOptions? options = null) =>");
        w.Line("    new(global::Scaler.Protocol.Capnp.MessageRoot.Open(frame, options));");
        w.Line();
        w.Line("/// <summary>The union tag. Values outside <see cref=\"MessageKind\"/> are returned as they are.</summary>");
        w.Line($"public MessageKind Kind => (MessageKind)_root.GetRoot().ReadUInt16({tagByte});");
        foreach (var member in members)
        {
            var reader = member.Type.Declaration!.ReaderName;
            w.Line();
            w.Line("[global::System.Diagnostics.CodeAnalysis.UnscopedRef]");
            w.Line($"public {reader} {member.PropertyName} => new(Member(MessageKind.{member.PropertyName}));");
        }

        w.Line();
        w.Line("[global::System.Diagnostics.CodeAnalysis.UnscopedRef]");
        w.Open("private global::Scaler.Protocol.Capnp.StructReader Member(MessageKind kind)");
        w.Line("var root = _root.GetRoot();");
        w.Line($"var actual = (MessageKind)root.ReadUInt16({tagByte});");
        w.Line("return actual == kind");
        w.Line($"    ? root.ReadStruct({members[0].PointerIndex})");
        w.Line("    : throw new global::System.InvalidOperationException($\"the message holds {actual}, not {kind}\");");
        w.Close();
        w.Close();
        w.Line();

        w.Line("/// <summary>Decodes and encodes the member of the <c>Message</c> union.</summary>");
        w.Open("internal static class MessageUnion");
        w.Line($"public const ushort DataWords = {message.DataWords};");
        w.Line($"public const ushort PointerCount = {message.PointerCount};");
        w.Line();
        w.Open("public static IMessage Read(ref MessageReader reader)");
        w.Line("var kind = reader.Kind;");
        w.Line("return kind switch");
        w.Line("{");
        foreach (var member in members)
        {
            w.Line($"    MessageKind.{member.PropertyName} => {member.Type.Declaration!.CSharpPath}.Read(reader.{member.PropertyName}),");
        }

        w.Line("    _ => throw new global::Scaler.Protocol.ProtocolException($\"unknown Message union tag {(ushort)kind}\"),");
        w.Line("};");
        w.Close();
        w.Line();
        w.Line("/// <summary>Words of the member struct and everything it points to.</summary>");
        w.Open("public static long MeasureMember(IMessage message) => message switch");
        foreach (var member in members)
        {
            var path = member.Type.Declaration!.CSharpPath;
            w.Line($"{path} m => {path}.DataWords + {path}.PointerCount + m.MeasureContent(),");
        }

        w.Line("_ => throw Unsupported(message),");
        w.Close(";");
        w.Line();
        w.Line("/// <summary>Writes the tag and the member into the Message struct that starts at word <paramref name=\"at\"/>.</summary>");
        w.Open("public static void WriteMember(IMessage message, ref global::Scaler.Protocol.Capnp.SegmentWriter writer, int at)");
        w.Line($"writer.SetUInt16(at, {tagByte}, (ushort)message.Kind);");
        w.Line("switch (message)");
        w.Line("{");
        foreach (var member in members)
        {
            var path = member.Type.Declaration!.CSharpPath;
            w.Line($"    case {path} m:");
            w.Line($"        m.Write(ref writer, writer.WriteStruct(at + {message.DataWords + member.PointerIndex!.Value}, {path}.DataWords, {path}.PointerCount));");
            w.Line("        break;");
        }

        w.Line("    default:");
        w.Line("        throw Unsupported(message);");
        w.Line("}");
        w.Close();
        w.Line();
        w.Line("private static global::System.ArgumentException Unsupported(IMessage message) =>");
        w.Line("    new($\"{message.GetType()} is not a generated Message member\", nameof(message));");
        w.Close();
    }
}
