namespace Scaler.Symphony.Service;

/// <summary>The status byte of a <see cref="SymphonyTaskResult"/>.</summary>
public enum SymphonyTaskResultKind : byte
{
    /// <summary>The task ran; the payload is its result object.</summary>
    Success = 0,

    /// <summary>The task ran and failed; the payload is a <c>RemoteError</c>.</summary>
    Failed = 1,

    /// <summary>
    /// The task did not run: the envelope named code assemblies by hash only, and this service instance does not have
    /// them. The payload is the SHA-256 of each missing assembly (32 bytes each). Result layout 2 only; the sender
    /// resends the task with the bytes included.
    /// </summary>
    CodeMissing = 2,
}
