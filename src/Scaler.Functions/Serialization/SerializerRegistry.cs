using System.Collections.Concurrent;

namespace Scaler.Functions;

/// <summary>
/// The run side's table of serializers by format id. <see cref="CreateDefault"/> holds the MessagePack serializer;
/// a host that accepts tasks from clients using a custom serializer registers it here.
/// </summary>
public sealed class SerializerRegistry
{
    private readonly ConcurrentDictionary<string, IScalerSerializer> _byFormatId = new(StringComparer.Ordinal);

    public static SerializerRegistry CreateDefault()
    {
        var registry = new SerializerRegistry();
        registry.Register(MessagePackScalerSerializer.Instance);
        return registry;
    }

    /// <summary>Adds or replaces the serializer for its <see cref="IScalerSerializer.FormatId"/>.</summary>
    public void Register(IScalerSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        SerializerDescriptor.ValidateFormatId(serializer.FormatId);
        _byFormatId[serializer.FormatId] = serializer;
    }

    public bool TryGet(string formatId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IScalerSerializer? serializer) =>
        _byFormatId.TryGetValue(formatId, out serializer);

    public IReadOnlyCollection<string> FormatIds => _byFormatId.Keys.ToArray();
}
