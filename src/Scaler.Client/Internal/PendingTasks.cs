using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Scaler.Identity;

namespace Scaler.Internal;

/// <summary>
/// The futures of the tasks this client submitted and has not seen end, by task ID. Several parts may end a task (its
/// result message, its early result, its cancel confirmation, a failed upload, the client closing): whoever removes it
/// from here first completes it, and the others find it gone, so every future completes once.
/// </summary>
internal sealed class PendingTasks
{
    private readonly ConcurrentDictionary<TaskId, IPendingTask> _byKey = new();

    /// <summary>Tasks submitted and not yet done (takes all of the dictionary's locks: not for the per-task path).</summary>
    public int Count => _byKey.Count;

    /// <summary>
    /// The key of a task ID: the core <see cref="TaskId"/>, which keeps our 16-byte IDs inline, so a lookup allocates
    /// nothing. An ID of another length (only a faulty peer sends one) matches no task of ours, which are all 16 bytes.
    /// </summary>
    public static TaskId KeyOf(ReadOnlySpan<byte> taskId) => new(taskId);

    /// <summary>Registers <paramref name="task"/> under its ID (before its message is queued, so no answer can miss it).</summary>
    public void Add(IPendingTask task) => _byKey[KeyOf(task.TaskId)] = task;

    public bool Contains(ReadOnlySpan<byte> taskId) => _byKey.ContainsKey(KeyOf(taskId));

    public bool TryRemove(ReadOnlySpan<byte> taskId, [MaybeNullWhen(false)] out IPendingTask task) => _byKey.TryRemove(KeyOf(taskId), out task);

    public bool TryRemove(TaskId key, [MaybeNullWhen(false)] out IPendingTask task) => _byKey.TryRemove(key, out task);

    /// <summary>Removes every task and fails it with <paramref name="reason"/> (the client is closing).</summary>
    public void FailAll(Exception reason)
    {
        foreach (var key in _byKey.Keys)
        {
            if (_byKey.TryRemove(key, out var task))
            {
                task.Fail(reason);
            }
        }
    }
}
