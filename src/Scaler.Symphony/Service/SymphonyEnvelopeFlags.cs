namespace Scaler.Symphony.Service;

/// <summary>The flags word of a <see cref="SymphonyTaskEnvelope"/>. Readers ignore bits they do not know.</summary>
[Flags]
public enum SymphonyEnvelopeFlags : ushort
{
    None = 0,

    /// <summary>
    /// The sender reads result layout 2 and resends a task with its code bytes when the answer is
    /// <see cref="SymphonyTaskResultKind.CodeMissing"/>: a service that lacks an assembly named by hash only must answer
    /// code-missing instead of failing the task.
    /// </summary>
    ResolvesCodeByHash = 1,
}
