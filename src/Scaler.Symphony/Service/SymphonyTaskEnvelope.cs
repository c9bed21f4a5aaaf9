using System.Buffers.Binary;
using System.Text;
using Scaler.Functions;

namespace Scaler.Symphony.Service;

/// <summary>
/// The one byte-array message a Scaler task travels in through SOAM: the serializer, function and argument objects
/// of <c>Scaler.Functions</c> plus the code the function needs. Layout (little-endian):
/// <code>
/// magic    8 bytes  "SCLRSYMT"
/// version  u16      1
/// flags    u16      SymphonyEnvelopeFlags (bit 0: the sender resolves code by hash); readers ignore unknown bits
/// sections until the end, each: tag u8, length u32, body
///   1 serializer object (exactly once)
///   2 function object (exactly once)
///   3 argument object (once per argument, in parameter order)
///   4 code assembly: name (u16 length + UTF-8), version (u16 length + UTF-8), mvid 16, sha256 32, then the
///     assembly bytes (the rest of the body; empty = not included: the service resolves it by hash from its cache)
///   128-255 optional extensions: skipped by readers that do not know them
///   any other unknown tag is an error (a feature this reader lacks)
/// </code>
/// Decoding slices the input (no copies) and checks every count and length against <see cref="SymphonyEnvelopeLimits"/>
/// and the bytes left before trusting it.
/// </summary>
public sealed class SymphonyTaskEnvelope
{
    public const ushort LayoutVersion = 1;

    private const byte SerializerTag = 1;
    private const byte FunctionTag = 2;
    private const byte ArgumentTag = 3;
    private const byte CodeTag = 4;
    private const byte FirstOptionalTag = 128;
    private const int HeaderLength = 12;
    private const int SectionHeaderLength = 5;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> Magic => "SCLRSYMT"u8;

    public SymphonyTaskEnvelope(
        ReadOnlyMemory<byte> serializerObject,
        ReadOnlyMemory<byte> functionObject,
        IReadOnlyList<ReadOnlyMemory<byte>> argumentObjects,
        IReadOnlyList<SymphonyCodeAssembly> codeAssemblies,
        SymphonyEnvelopeFlags flags = SymphonyEnvelopeFlags.None)
    {
        ArgumentNullException.ThrowIfNull(argumentObjects);
        ArgumentNullException.ThrowIfNull(codeAssemblies);
        Flags = flags;
        SerializerObject = serializerObject;
        FunctionObject = functionObject;
        ArgumentObjects = argumentObjects;
        CodeAssemblies = codeAssemblies;
    }

    public SymphonyEnvelopeFlags Flags { get; }

    public ReadOnlyMemory<byte> SerializerObject { get; }

    public ReadOnlyMemory<byte> FunctionObject { get; }

    public IReadOnlyList<ReadOnlyMemory<byte>> ArgumentObjects { get; }

    public IReadOnlyList<SymphonyCodeAssembly> CodeAssemblies { get; }

    /// <summary>An envelope for a packaged call, with the bytes of every code assembly read from disk.</summary>
    public static SymphonyTaskEnvelope FromPackagedCall(PackagedCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var code = call.CodeAssemblies.Select(a => new SymphonyCodeAssembly(a.Reference, a.ReadBytes())).ToList();
        return new SymphonyTaskEnvelope(call.SerializerObject, call.FunctionObject, call.ArgumentObjects, code);
    }

    /// <summary>Fetches code from the envelope itself, for <see cref="TaskExecutor.ExecuteAsync"/>.</summary>
    public ValueTask<ReadOnlyMemory<byte>> FetchCodeAsync(CodeAssemblyReference assembly, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        foreach (var code in CodeAssemblies)
        {
            if (code.HasBytes && string.Equals(code.Reference.Sha256Hex, assembly.Sha256Hex, StringComparison.Ordinal))
            {
                return ValueTask.FromResult(code.Bytes);
            }
        }

        throw new InvalidOperationException($"code assembly {assembly} is not included in the task envelope");
    }

    public byte[] Encode()
    {
        long length = HeaderLength
            + SectionHeaderLength + SerializerObject.Length
            + SectionHeaderLength + FunctionObject.Length
            + ArgumentObjects.Sum(a => (long)SectionHeaderLength + a.Length)
            + CodeAssemblies.Sum(c => (long)SectionHeaderLength + CodeBodyLength(c));
        if (length > Array.MaxLength)
        {
            throw new SymphonyEnvelopeException($"the task envelope would be {length} bytes, more than one array can hold");
        }

        // Not zeroed first: every byte is written below (header, then each section whole).
        var buffer = GC.AllocateUninitializedArray<byte>((int)length);
        var span = buffer.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], LayoutVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(span[10..], (ushort)Flags);
        var at = HeaderLength;
        at = WriteSection(span, at, SerializerTag, SerializerObject.Span);
        at = WriteSection(span, at, FunctionTag, FunctionObject.Span);
        foreach (var argument in ArgumentObjects)
        {
            at = WriteSection(span, at, ArgumentTag, argument.Span);
        }

        foreach (var code in CodeAssemblies)
        {
            at = WriteCode(span, at, code);
        }

        return buffer;
    }

    public static SymphonyTaskEnvelope Decode(ReadOnlyMemory<byte> envelope, SymphonyEnvelopeLimits? limits = null)
    {
        limits ??= SymphonyEnvelopeLimits.Default;
        if (envelope.Length > limits.MaxEnvelopeBytes)
        {
            throw new SymphonyEnvelopeException($"task envelope of {envelope.Length} bytes exceeds MaxEnvelopeBytes ({limits.MaxEnvelopeBytes})");
        }

        var span = envelope.Span;
        if (span.Length < HeaderLength || !span[..8].SequenceEqual(Magic))
        {
            throw new SymphonyEnvelopeException("not a Scaler task envelope (the magic 'SCLRSYMT' is missing)");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(span[8..]);
        if (version != LayoutVersion)
        {
            throw new SymphonyEnvelopeException($"task envelope layout version {version} is not supported (this service reads version {LayoutVersion})");
        }

        var flags = (SymphonyEnvelopeFlags)BinaryPrimitives.ReadUInt16LittleEndian(span[10..]);
        ReadOnlyMemory<byte>? serializer = null;
        ReadOnlyMemory<byte>? function = null;
        var arguments = new List<ReadOnlyMemory<byte>>();
        var code = new List<SymphonyCodeAssembly>();
        var sections = 0;
        var at = HeaderLength;
        while (at < span.Length)
        {
            if (++sections > limits.MaxSections)
            {
                throw new SymphonyEnvelopeException($"task envelope has more than MaxSections ({limits.MaxSections}) sections");
            }

            if (span.Length - at < SectionHeaderLength)
            {
                throw new SymphonyEnvelopeException($"task envelope is truncated: a section header at offset {at} needs {SectionHeaderLength} bytes, {span.Length - at} left");
            }

            var tag = span[at];
            var length = BinaryPrimitives.ReadUInt32LittleEndian(span[(at + 1)..]);
            at += SectionHeaderLength;
            if (length > (uint)(span.Length - at))
            {
                throw new SymphonyEnvelopeException($"task envelope is truncated: section {tag} claims {length} bytes, {span.Length - at} left");
            }

            var body = envelope.Slice(at, (int)length);
            at += (int)length;
            switch (tag)
            {
                case SerializerTag:
                    serializer = serializer is null ? body : throw Duplicate("serializer");
                    break;
                case FunctionTag:
                    function = function is null ? body : throw Duplicate("function");
                    break;
                case ArgumentTag:
                    if (arguments.Count >= limits.MaxArguments)
                    {
                        throw new SymphonyEnvelopeException($"task envelope has more than MaxArguments ({limits.MaxArguments}) arguments");
                    }

                    arguments.Add(body);
                    break;
                case CodeTag:
                    if (code.Count >= limits.MaxCodeAssemblies)
                    {
                        throw new SymphonyEnvelopeException($"task envelope has more than MaxCodeAssemblies ({limits.MaxCodeAssemblies}) code assemblies");
                    }

                    code.Add(ReadCode(body));
                    break;
                case >= FirstOptionalTag:
                    break;
                default:
                    throw new SymphonyEnvelopeException($"task envelope has section tag {tag}, which this service does not know");
            }
        }

        return new SymphonyTaskEnvelope(
            serializer ?? throw Missing("serializer"),
            function ?? throw Missing("function"),
            arguments,
            code,
            flags);
    }

    private static SymphonyEnvelopeException Duplicate(string what) => new($"task envelope has more than one {what} section");

    private static SymphonyEnvelopeException Missing(string what) => new($"task envelope has no {what} section");

    private static int WriteSection(Span<byte> span, int at, byte tag, ReadOnlySpan<byte> body)
    {
        span[at] = tag;
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 1)..], (uint)body.Length);
        body.CopyTo(span[(at + SectionHeaderLength)..]);
        return at + SectionHeaderLength + body.Length;
    }

    private static long CodeBodyLength(SymphonyCodeAssembly code) =>
        2 + (long)Encoding.UTF8.GetByteCount(code.Reference.Name) + 2 + Encoding.UTF8.GetByteCount(code.Reference.Version) + 16 + 32 + code.Bytes.Length;

    private static int WriteCode(Span<byte> span, int at, SymphonyCodeAssembly code)
    {
        var bodyLength = (int)CodeBodyLength(code);
        span[at] = CodeTag;
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 1)..], (uint)bodyLength);
        var body = span.Slice(at + SectionHeaderLength, bodyLength);
        var offset = WriteShortString(body, 0, code.Reference.Name);
        offset = WriteShortString(body, offset, code.Reference.Version);
        code.Reference.Mvid.TryWriteBytes(body[offset..]);
        offset += 16;
        Convert.FromHexString(code.Reference.Sha256Hex, body.Slice(offset, 32), out _, out _);
        offset += 32;
        code.Bytes.Span.CopyTo(body[offset..]);
        return at + SectionHeaderLength + bodyLength;
    }

    private static int WriteShortString(Span<byte> body, int offset, string text)
    {
        var count = Encoding.UTF8.GetByteCount(text);
        if (count > ushort.MaxValue)
        {
            throw new SymphonyEnvelopeException($"a code assembly name or version of {count} bytes is longer than {ushort.MaxValue}");
        }

        BinaryPrimitives.WriteUInt16LittleEndian(body[offset..], (ushort)count);
        Encoding.UTF8.GetBytes(text, body[(offset + 2)..]);
        return offset + 2 + count;
    }

    private static SymphonyCodeAssembly ReadCode(ReadOnlyMemory<byte> body)
    {
        var span = body.Span;
        var offset = 0;
        var name = ReadShortString(span, ref offset, "name");
        var version = ReadShortString(span, ref offset, "version");
        if (span.Length - offset < 48)
        {
            throw new SymphonyEnvelopeException($"code assembly section of '{name}' is truncated: the mvid and sha256 need 48 bytes, {span.Length - offset} left");
        }

        var mvid = new Guid(span.Slice(offset, 16));
        var sha256 = Convert.ToHexStringLower(span.Slice(offset + 16, 32));
        offset += 48;
        try
        {
            return new SymphonyCodeAssembly(new CodeAssemblyReference(name, version, mvid, sha256), body[offset..]);
        }
        catch (ArgumentException e)
        {
            throw new SymphonyEnvelopeException($"code assembly section is invalid: {e.Message}", e);
        }
    }

    private static string ReadShortString(ReadOnlySpan<byte> span, ref int offset, string what)
    {
        if (span.Length - offset < 2)
        {
            throw new SymphonyEnvelopeException($"code assembly section is truncated before its {what}");
        }

        int length = BinaryPrimitives.ReadUInt16LittleEndian(span[offset..]);
        offset += 2;
        if (length > span.Length - offset)
        {
            throw new SymphonyEnvelopeException($"code assembly {what} claims {length} bytes, {span.Length - offset} left");
        }

        try
        {
            var text = StrictUtf8.GetString(span.Slice(offset, length));
            offset += length;
            return text;
        }
        catch (DecoderFallbackException e)
        {
            throw new SymphonyEnvelopeException($"code assembly {what} is not valid UTF-8", e);
        }
    }
}
