using Scaler.Functions;

namespace Scaler.Symphony.Service;

/// <summary>
/// One code assembly a task needs, as carried in a <see cref="SymphonyTaskEnvelope"/>: its identity and its bytes.
/// Empty bytes mean "resolve it by hash": the service instance takes it from its code cache, or answers code-missing.
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
