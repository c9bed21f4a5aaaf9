using System.Buffers;
using System.Text;
using MessagePack;

namespace Scaler.Functions;

/// <summary>
/// The function object's bytes: the ASCII line <c>SCALER.NET/FUNCTION 1\n</c> followed by one MessagePack array
/// (layout in docs/functions.md). The layout is fixed by this library, whatever serializer the task uses; only
/// captured values inside a closure are written by the task's serializer.
/// </summary>
internal static class FunctionDescriptorCodec
{
    public const int LayoutVersion = 1;

    // Bounds on what a function object may declare, checked before anything is allocated for it.
    private const int MaxItems = 4096;
    private const int MaxClosureDepth = 16;
    private const int TopLevelFields = 10;

    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("SCALER.NET/FUNCTION 1\n");

    public static bool LooksLikeFunctionObject(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Magic);

    public static byte[] Encode(FunctionDescriptor descriptor)
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write(Magic);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(TopLevelFields);
        writer.WriteArrayHeader(descriptor.Code.Count);
        foreach (var code in descriptor.Code)
        {
            writer.WriteArrayHeader(4);
            writer.Write(code.Name);
            writer.Write(code.Version);
            WriteGuid(ref writer, code.Mvid);
            writer.Write(code.Sha256());
        }

        WriteType(ref writer, descriptor.DeclaringType);
        WriteGuid(ref writer, descriptor.DeclaringModuleMvid);
        writer.Write(descriptor.MethodName);
        writer.Write(descriptor.MethodToken);
        writer.Write(descriptor.MethodSignature);
        WriteTypes(ref writer, descriptor.MethodGenericArguments);
        WriteTypes(ref writer, descriptor.ParameterTypes);
        if (descriptor.ReturnType is null)
        {
            writer.WriteNil();
        }
        else
        {
            WriteType(ref writer, descriptor.ReturnType);
        }

        writer.WriteArrayHeader(2);
        writer.Write((int)descriptor.Target.Kind);
        if (descriptor.Target.Closure is null)
        {
            writer.WriteNil();
        }
        else
        {
            WriteClosure(ref writer, descriptor.Target.Closure);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static FunctionDescriptor Decode(ReadOnlyMemory<byte> bytes)
    {
        if (!bytes.Span.StartsWith(Magic))
        {
            var head = Convert.ToHexString(bytes.Span[..Math.Min(bytes.Length, 8)]);
            throw new FunctionLoadException(
                $"the function object is not a Scaler.NET function descriptor (layout {LayoutVersion}); it starts with 0x{head}");
        }

        try
        {
            var reader = new MessagePackReader(bytes[Magic.Length..]);
            ExpectArray(ref reader, TopLevelFields, "function descriptor");
            var codeCount = ReadCount(ref reader);
            var code = new CodeAssemblyReference[codeCount];
            for (var i = 0; i < codeCount; i++)
            {
                ExpectArray(ref reader, 4, "code assembly");
                var name = ReadString(ref reader);
                var version = ReadString(ref reader);
                var mvid = ReadGuid(ref reader);
                var hash = ReadBinary(ref reader);
                if (hash.Length != 32)
                {
                    throw new FunctionLoadException($"code assembly '{name}' has a {hash.Length}-byte hash; expected 32 (SHA-256)");
                }

                code[i] = new CodeAssemblyReference(name, version, mvid, Convert.ToHexStringLower(hash));
            }

            var declaringType = ReadType(ref reader, 0);
            var declaringMvid = ReadGuid(ref reader);
            var methodName = ReadString(ref reader);
            var token = reader.ReadInt32();
            var signature = ReadString(ref reader);
            var genericArguments = ReadTypes(ref reader);
            var parameterTypes = ReadTypes(ref reader);
            var returnType = reader.TryReadNil() ? null : ReadType(ref reader, 0);
            ExpectArray(ref reader, 2, "function target");
            var kind = (FunctionTargetKind)reader.ReadInt32();
            var closure = reader.TryReadNil() ? null : ReadClosure(ref reader, 0);
            var target = kind switch
            {
                FunctionTargetKind.None when closure is null => FunctionTarget.None,
                FunctionTargetKind.Singleton when closure is null => FunctionTarget.Singleton,
                FunctionTargetKind.Closure when closure is not null => new FunctionTarget(kind, closure),
                _ => throw new FunctionLoadException($"the function target kind {(int)kind} is unknown or inconsistent"),
            };
            if (!reader.End)
            {
                throw new FunctionLoadException("the function object has bytes after the descriptor");
            }

            return new FunctionDescriptor(
                code, declaringType, declaringMvid, methodName, token, signature, genericArguments, parameterTypes, returnType, target);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or ArgumentException or OverflowException)
        {
            throw new FunctionLoadException($"the function object is malformed: {e.Message}", e);
        }
    }

    private static void WriteTypes(ref MessagePackWriter writer, IReadOnlyList<TypeReference> types)
    {
        writer.WriteArrayHeader(types.Count);
        foreach (var type in types)
        {
            WriteType(ref writer, type);
        }
    }

    private static void WriteType(ref MessagePackWriter writer, TypeReference type)
    {
        writer.WriteArrayHeader(4);
        writer.Write(type.AssemblyName);
        writer.Write(type.FullName);
        WriteTypes(ref writer, type.GenericArguments);
        writer.Write(type.ArrayRank);
    }

    private static void WriteClosure(ref MessagePackWriter writer, ClosureState closure)
    {
        writer.WriteArrayHeader(2);
        WriteType(ref writer, closure.Type);
        writer.WriteArrayHeader(closure.Fields.Count);
        foreach (var field in closure.Fields)
        {
            writer.WriteArrayHeader(3);
            writer.Write(field.Name);
            writer.Write((int)field.Kind);
            switch (field.Kind)
            {
                case ClosureFieldKind.Value:
                    writer.Write(field.Value.Span);
                    break;
                case ClosureFieldKind.Closure:
                    WriteClosure(ref writer, field.Nested!);
                    break;
                default:
                    writer.WriteNil();
                    break;
            }
        }
    }

    private static void WriteGuid(ref MessagePackWriter writer, Guid guid)
    {
        writer.Write(guid.ToByteArray());
    }

    private static TypeReference[] ReadTypes(ref MessagePackReader reader, int depth = 0)
    {
        var count = ReadCount(ref reader);
        var types = new TypeReference[count];
        for (var i = 0; i < count; i++)
        {
            types[i] = ReadType(ref reader, depth);
        }

        return types;
    }

    private static TypeReference ReadType(ref MessagePackReader reader, int depth)
    {
        if (depth > TypeReference.MaxDepth)
        {
            throw new FunctionLoadException($"a type in the function object is nested deeper than {TypeReference.MaxDepth} levels");
        }

        ExpectArray(ref reader, 4, "type reference");
        var assembly = ReadString(ref reader);
        var fullName = ReadString(ref reader);
        var arguments = ReadTypes(ref reader, depth + 1);
        var rank = reader.ReadInt32();
        if (rank is < 0 or > 32)
        {
            throw new FunctionLoadException($"type {fullName} has array rank {rank}");
        }

        return new TypeReference(assembly, fullName, arguments, rank);
    }

    private static ClosureState ReadClosure(ref MessagePackReader reader, int depth)
    {
        if (depth > MaxClosureDepth)
        {
            throw new FunctionLoadException($"the closure in the function object is nested deeper than {MaxClosureDepth} levels");
        }

        ExpectArray(ref reader, 2, "closure");
        var type = ReadType(ref reader, 0);
        var count = ReadCount(ref reader);
        var fields = new ClosureField[count];
        for (var i = 0; i < count; i++)
        {
            ExpectArray(ref reader, 3, "closure field");
            var name = ReadString(ref reader);
            var kind = (ClosureFieldKind)reader.ReadInt32();
            fields[i] = kind switch
            {
                ClosureFieldKind.Null when reader.TryReadNil() => new ClosureField(name, kind, default, null),
                ClosureFieldKind.Value => new ClosureField(name, kind, ReadBinary(ref reader), null),
                ClosureFieldKind.Closure => new ClosureField(name, kind, default, ReadClosure(ref reader, depth + 1)),
                _ => throw new FunctionLoadException($"closure field '{name}' has unknown kind {(int)kind}"),
            };
        }

        return new ClosureState(type, fields);
    }

    private static void ExpectArray(ref MessagePackReader reader, int length, string what)
    {
        var actual = reader.ReadArrayHeader();
        if (actual != length)
        {
            throw new FunctionLoadException($"the {what} has {actual} fields; layout {LayoutVersion} has {length}");
        }
    }

    private static int ReadCount(ref MessagePackReader reader)
    {
        var count = reader.ReadArrayHeader();
        if (count > MaxItems)
        {
            throw new FunctionLoadException($"the function object declares a list of {count} items; the limit is {MaxItems}");
        }

        return count;
    }

    private static string ReadString(ref MessagePackReader reader) =>
        reader.ReadString() ?? throw new FunctionLoadException("the function object has a missing (nil) name");

    private static byte[] ReadBinary(ref MessagePackReader reader)
    {
        var sequence = reader.ReadBytes() ?? throw new FunctionLoadException("the function object has a missing (nil) byte string");
        return sequence.ToArray();
    }

    private static Guid ReadGuid(ref MessagePackReader reader)
    {
        var bytes = ReadBinary(ref reader);
        if (bytes.Length != 16)
        {
            throw new FunctionLoadException($"the function object has a {bytes.Length}-byte module id; expected 16");
        }

        return new Guid(bytes);
    }
}
