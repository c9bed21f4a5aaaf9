using Scaler.Functions;
using Scaler.Python.Pickles;

namespace Scaler.Worker.Execution;

/// <summary>Why a worker (not the task's own code) failed a task.</summary>
public enum WorkerFailureKind
{
    /// <summary>The process running the task died or had to be killed (the reference's <c>ProcessorDiedError</c>).</summary>
    ProcessorDied,

    /// <summary>The task ran longer than <c>--task-timeout-seconds</c>.</summary>
    TimedOut,

    /// <summary>Object storage refused the task's result (larger than its object limit, or the store is full).</summary>
    ResultRefused,

    /// <summary>Anything else the worker could not get past (a malformed answer, an external system's failure).</summary>
    Other,
}

/// <summary>
/// A failure the worker itself reports for a task. It becomes the failed task's result object only once the task's
/// client is known, because a .NET client and a Python client each read only their own error format
/// (<see cref="ToPayload"/>).
/// </summary>
public sealed record WorkerFailure(WorkerFailureKind Kind, string Message)
{
    /// <summary>The .NET type name a .NET client sees for a task whose processor died (decision 10).</summary>
    public const string ProcessorDiedTypeName = "Scaler.Worker.ProcessorDiedException";

    /// <summary>The .NET type name a .NET client sees for a task whose result object storage refused.</summary>
    public const string ResultRefusedTypeName = "Scaler.ObjectStorage.Client.ObjectStorageException";

    /// <summary>A task's result that object storage refused, with the refusal's reason.</summary>
    public static WorkerFailure ResultRefused(int resultBytes, string reason) =>
        new(WorkerFailureKind.ResultRefused, $"the task's result ({resultBytes:N0} bytes) was refused by object storage: {reason}");

    /// <summary>
    /// The failed task's result object for a client of <paramref name="language"/>: a pickled Python exception for a
    /// Python client (<c>scaler.utility.exceptions.ProcessorDiedError</c>, <c>TimeoutError</c>, <c>RuntimeError</c>),
    /// otherwise a <see cref="RemoteError"/>. An unknown client gets the <see cref="RemoteError"/>, which Scaler.NET
    /// clients read.
    /// </summary>
    public byte[] ToPayload(TaskLanguage language) => language == TaskLanguage.Python
        ? Kind switch
        {
            WorkerFailureKind.ProcessorDied => PythonErrors.ProcessorDied(Message),
            WorkerFailureKind.TimedOut => PythonErrors.Timeout(Message),
            _ => PythonErrors.Runtime(Message),
        }
        : new RemoteError(
            Kind switch
            {
                WorkerFailureKind.ProcessorDied => ProcessorDiedTypeName,
                WorkerFailureKind.TimedOut => "System.TimeoutException",
                WorkerFailureKind.ResultRefused => ResultRefusedTypeName,
                _ => "Scaler.Worker.WorkerException",
            },
            Message,
            string.Empty).ToBytes();
}
