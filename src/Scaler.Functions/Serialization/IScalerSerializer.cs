namespace Scaler.Functions;

/// <summary>
/// Turns argument and result values into bytes and back. The declared type (a parameter type or the return type of the
/// shipped function) is always passed, so a format can be exact about shape instead of guessing from runtime values.
/// </summary>
/// <remarks>
/// An implementation is named by <see cref="FormatId"/>: the client writes it into the serializer object and the run
/// side picks the implementation registered under that id in its <see cref="SerializerRegistry"/>. Implementations
/// must be thread-safe.
/// </remarks>
public interface IScalerSerializer
{
    /// <summary>Short ASCII id of the wire format, for example <c>msgpack</c>.</summary>
    string FormatId { get; }

    /// <summary>Version of the format's layout; the run side refuses versions it does not know.</summary>
    int FormatVersion { get; }

    /// <summary>Free text naming the library and version that produced the bytes (diagnostics only).</summary>
    string LibraryVersion { get; }

    byte[] Serialize(object? value, Type declaredType);

    object? Deserialize(ReadOnlyMemory<byte> bytes, Type declaredType);
}
