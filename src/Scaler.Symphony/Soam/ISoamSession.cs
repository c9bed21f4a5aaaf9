namespace Scaler.Symphony.Soam;

/// <summary>
/// A session, as SOAM's <c>Session</c>: tasks are sent into it and their outputs come back through the
/// <see cref="SessionCallback"/> given at creation, on the backend's threads, in any order, possibly more than once.
/// Never call <see cref="Close"/> from inside a callback.
/// </summary>
public interface ISoamSession : IDisposable
{
    string Id { get; }

    /// <summary>Sends one task; returns once the backend has accepted it. The handle carries the task id.</summary>
    TaskInputHandle SendTaskInput(TaskSubmissionAttributes attributes);

    void Close(SessionCloseFlags flags = SessionCloseFlags.DestroyOnClose);
}
