using Scaler.Functions;

namespace Scaler.Symphony.Service;

/// <summary>
/// One code assembly a task needs, as carried in a <see cref="SymphonyTaskEnvelope"/>: its identity and, in this
/// version, its bytes. Empty bytes mean "resolve it by hash" (reserved for a later version that caches code on the
/// service side; today the service reports such an assembly as missing unless it already has that build).
/// </summary>
public sealed class SymphonyCodeAssembly
{
    public SymphonyCodeAssembly(CodeAssemblyReference reference, ReadOnlyMemory<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(reference);
        Reference = reference;
        Bytes = bytes;
    }

    public CodeAssemblyReference Reference { get; }

    public ReadOnlyMemory<byte> Bytes { get; }

    public bool HasBytes => !Bytes.IsEmpty;
}
