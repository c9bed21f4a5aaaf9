using System.Buffers;
using MessagePack;
using Scaler.Functions;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// Reads the code assemblies a function object names (item 0 of its documented layout, docs/functions.md), so the
/// worker can fetch each one from object storage by <see cref="CodeAssemblyReference.ObjectId"/> and ship it in the
/// SOAM task. Only that item is read; the rest of the object is left to the service.
/// </summary>
internal static class FunctionCodeReferences
{
    private const int MaxAssemblies = 4096;
    private const int MaxStringBytes = 4096;

    private static ReadOnlySpan<byte> Magic => "SCALER.NET/FUNCTION 1\n"u8;

    /// <exception cref="InvalidDataException">Not a Scaler.NET function object, or a malformed one.</exception>
    public static IReadOnlyList<CodeAssemblyReference> Read(ReadOnlyMemory<byte> functionObject)
    {
        if (!functionObject.Span.StartsWith(Magic))
        {
            throw new InvalidDataException("the function object is not a Scaler.NET function object (the Symphony worker runs .NET tasks only)");
        }

        try
        {
            var reader = new MessagePackReader(new ReadOnlySequence<byte>(functionObject[Magic.Length..]));
            if (reader.ReadArrayHeader() < 1)
            {
                throw new InvalidDataException("the function object has no code list");
            }

            var count = reader.ReadArrayHeader();
            if (count > MaxAssemblies)
            {
                throw new InvalidDataException($"the function object names {count} code assemblies, more than {MaxAssemblies}");
            }

            var result = new List<CodeAssemblyReference>(count);
            for (var i = 0; i < count; i++)
            {
                if (reader.ReadArrayHeader() != 4)
                {
                    throw new InvalidDataException("a code assembly entry of the function object does not have 4 items");
                }

                var name = ReadString(ref reader);
                var version = ReadString(ref reader);
                var mvid = ReadBytes(ref reader, 16);
                var sha = ReadBytes(ref reader, 32);
                result.Add(new CodeAssemblyReference(name, version, new Guid(mvid), Convert.ToHexStringLower(sha)));
            }

            return result;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or ArgumentException)
        {
            throw new InvalidDataException($"the function object is malformed: {e.Message}", e);
        }
    }

    private static string ReadString(ref MessagePackReader reader)
    {
        var bytes = reader.ReadStringSequence() ?? throw new InvalidDataException("a code assembly name or version is nil");
        if (bytes.Length > MaxStringBytes)
        {
            throw new InvalidDataException($"a code assembly name or version is longer than {MaxStringBytes} bytes");
        }

        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static byte[] ReadBytes(ref MessagePackReader reader, int length)
    {
        var bytes = reader.ReadBytes() ?? throw new InvalidDataException("a code assembly hash is nil");
        if (bytes.Length != length)
        {
            throw new InvalidDataException($"expected {length} bytes in a code assembly entry, got {bytes.Length}");
        }

        return bytes.ToArray();
    }
}
