using System.Reflection;
using MessagePack;
using MessagePack.Resolvers;

namespace Scaler.Functions;

/// <summary>
/// The default serializer: MessagePack with the contractless resolver, so public classes, records, tuples, arrays,
/// lists, dictionaries and primitives work without attributes. Members are written as string-keyed maps.
/// </summary>
public sealed class MessagePackScalerSerializer : IScalerSerializer
{
    public const string Id = "msgpack";

    public static MessagePackScalerSerializer Instance { get; } = new();

    private static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);

    private MessagePackScalerSerializer()
    {
        var version = typeof(MessagePackSerializer).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(MessagePackSerializer).Assembly.GetName().Version?.ToString()
            ?? "unknown";
        // Drop the "+commit" suffix the package build appends: it is noise in a header.
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        LibraryVersion = "MessagePack " + (plus >= 0 ? version[..plus] : version);
    }

    public string FormatId => Id;

    public int FormatVersion => 1;

    public string LibraryVersion { get; }

    public byte[] Serialize(object? value, Type declaredType)
    {
        ArgumentNullException.ThrowIfNull(declaredType);
        return MessagePackSerializer.Serialize(declaredType, value, Options);
    }

    public object? Deserialize(ReadOnlyMemory<byte> bytes, Type declaredType)
    {
        ArgumentNullException.ThrowIfNull(declaredType);
        return MessagePackSerializer.Deserialize(declaredType, bytes, Options);
    }
}
