namespace Scaler.Worker.Execution;

/// <summary>How a backend tells the worker agent what happened to the tasks it was given. Callable from any thread.</summary>
public interface ITaskCompletionSink
{
    /// <summary>A submitted task ended (success, failure, or its execution unit died).</summary>
    void TaskCompleted(TaskCompletion completion);

    /// <summary>The backend can accept a task again (a slot became free or a new execution unit is ready).</summary>
    void CapacityAvailable();

    /// <summary>
    /// A task submitted ahead (it waited behind another in its execution unit) starts running now: its timeout counts
    /// from here. Backends that start every task on submission never call it.
    /// </summary>
    void TaskStarted(byte[] taskId)
    {
    }

    /// <summary>
    /// A task submitted ahead never started and the backend gives it back (its execution unit was killed or died while
    /// another task ran): the agent queues it again, first in line. Not a completion: nothing is reported for it.
    /// </summary>
    void TaskReturned(Protocol.Messages.TaskMessage task)
    {
    }
}
