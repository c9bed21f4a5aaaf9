using Scaler.Identity;
using Scaler.Protocol.Messages;
using Scaler.Worker.Execution;

namespace Scaler.WorkerManager.Symphony;

/// <summary>Where a task handed to the SOAM backend is; guarded by the lock of <see cref="HeldTasks"/>.</summary>
internal enum InFlightState
{
    /// <summary>Held, not yet prepared: no preparation starts while the envelopes held reach the byte bound.</summary>
    Accepted,

    /// <summary>Its objects are being fetched and its envelope built.</summary>
    Preparing,

    /// <summary>Its envelope is ready; it waits for a SOAM session (the first one, or one reopened after a loss).</summary>
    WaitingForSession,

    /// <summary>Its envelope is ready and a session is open; it waits for one of the max-task-concurrency slots.</summary>
    Ready,

    /// <summary>Sent to Symphony: it can no longer be cancelled from here.</summary>
    Sent,

    /// <summary>Cancelled before it was sent, or completed: nothing more happens to it.</summary>
    Done,
}

/// <summary>One task the SOAM backend holds, from <c>SubmitAsync</c> to its completion or cancel.</summary>
internal sealed class InFlightTask(TaskMessage task, TaskId key)
{
    public TaskMessage Task { get; } = task;

    public TaskId Key { get; } = key;

    public InFlightState State { get; set; } = InFlightState.Accepted;

    /// <summary>The encoded <c>SymphonyTaskEnvelope</c>, kept until the task completes so it can be re-sent.</summary>
    public byte[]? Input { get; set; }

    /// <summary>The SOAM task id of the latest send.</summary>
    public string? SoamTaskId { get; set; }

    /// <summary>Set after a code-missing answer: the next envelope carries every code assembly's bytes.</summary>
    public bool IncludeAllCode { get; set; }

    /// <summary>True when the latest envelope named some code by hash only.</summary>
    public bool OmittedCode { get; set; }

    /// <summary>SHA-256 of the code assemblies whose bytes the latest envelope carried.</summary>
    public IReadOnlyList<string> CodeCarried { get; set; } = [];

    /// <summary>The client's language, known once the serializer object is fetched: it picks the task's contract.</summary>
    public TaskLanguage Language { get; set; }

    /// <summary>For a Python task: its client uses the reference's default serializer (cloudpickle both ways).</summary>
    public bool ReferenceDefaultSerializer { get; set; }

    /// <summary>How many sessions were lost while this task was in them; counted by <see cref="SoamSessionKeeper"/>.</summary>
    public int SessionLosses { get; set; }
}
