namespace Scaler.Symphony.Soam;

/// <summary>
/// Receives a session's outputs and errors, as the sealed .NET <c>SessionCallback</c> of SOAM: subscribe to the
/// events before creating the session. Handlers run on the backend's threads (possibly several) and must be
/// thread-safe; they must never close the session.
/// </summary>
public sealed class SessionCallback
{
    /// <summary>One finished task (successful or not). The same task id may arrive twice after a re-attach.</summary>
    public event Action<TaskOutputHandle>? OnResponse;

    /// <summary>A session-wide failure (for example the session was aborted): every task in flight is lost.</summary>
    public event Action<SoamException>? OnException;

    internal void RaiseResponse(TaskOutputHandle output) => OnResponse?.Invoke(output);

    internal void RaiseException(SoamException exception) => OnException?.Invoke(exception);
}
