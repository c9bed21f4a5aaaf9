namespace Scaler.Python.Runner;

/// <summary>How a Python task ended.</summary>
public enum PythonTaskStatus
{
    /// <summary>It returned; <see cref="PythonTaskOutcome.Payload"/> is the result object.</summary>
    Succeeded,

    /// <summary>It (or the loading of its objects) raised; the payload is the pickled exception.</summary>
    Failed,

    /// <summary>The runner process died while running it (a crash, <c>os._exit</c>, a kill); the payload is a pickled <c>ProcessorDiedError</c>.</summary>
    RunnerDied,

    /// <summary>No runner could be started (no interpreter, no cloudpickle, no runner script); the payload is a pickled <c>RuntimeError</c> saying what is missing.</summary>
    RunnerUnavailable,
}

/// <summary>
/// The outcome of one Python task. <see cref="Payload"/> is always what a Python client reads: the result object on
/// success, a pickled exception otherwise. <see cref="ErrorText"/> says what went wrong, for logs (empty on success).
/// </summary>
public sealed record PythonTaskOutcome(
    PythonTaskStatus Status,
    ReadOnlyMemory<byte> Payload,
    string ErrorText,
    TimeSpan CpuTime,
    long MaxRssBytes)
{
    public bool Succeeded => Status == PythonTaskStatus.Succeeded;
}

/// <summary>What a runner said about itself when it started.</summary>
public sealed record PythonRunnerInfo(int ProcessId, string PythonVersion, string CloudpickleVersion, string TblibVersion, string Executable);
