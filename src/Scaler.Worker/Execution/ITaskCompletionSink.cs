namespace Scaler.Worker.Execution;

/// <summary>How a backend reports to the worker agent. Thread-safe: call from any thread.</summary>
public interface ITaskCompletionSink
{
    /// <summary>A submitted task ended (success, failure, or its execution unit died).</summary>
    void TaskCompleted(TaskCompletion completion);

    /// <summary>The backend can accept a task again (a slot became free or a new execution unit is ready).</summary>
    void CapacityAvailable();
}
