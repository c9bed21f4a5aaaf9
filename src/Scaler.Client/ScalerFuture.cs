using System.Runtime.CompilerServices;
using Scaler.Functions;
using Scaler.Internal;

namespace Scaler;

/// <summary>
/// The pending result of one submitted task. <see cref="Result"/> blocks; <c>await future</c> does not. A task that
/// threw remotely raises <see cref="TaskFailedException"/> (namespace <c>Scaler</c>, decision 12) with the remote type
/// name, message and stack trace; a cancelled task raises <see cref="TaskCanceledException"/>; a worker that died
/// raises <see cref="WorkerDiedException"/>; a client that went away first raises <see cref="ScalerClientException"/>.
/// </summary>
/// <typeparam name="T">The function's result type (<c>T</c> for functions returning <c>Task&lt;T&gt;</c>).</typeparam>
public sealed class ScalerFuture<T> : IPendingTask
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ClientAgent _agent;
    private readonly byte[]? _graphTaskId;
    private readonly ShippableFunction? _function;
    private int _cancelRequested;

    internal ScalerFuture(ClientAgent agent, byte[] taskId, ShippableFunction function, byte[]? graphTaskId = null)
    {
        _agent = agent;
        TaskId = taskId;
        _function = function;
        _graphTaskId = graphTaskId;
    }

    /// <summary>A future that is done from the start: a graph's value node that the caller asked for (nothing runs).</summary>
    private ScalerFuture(ClientAgent agent, T value)
    {
        _agent = agent;
        TaskId = TaskIds.New();
        _completion.SetResult(value);
    }

    /// <summary>True once the task succeeded, failed or was cancelled.</summary>
    public bool Done => _completion.Task.IsCompleted;

    /// <summary>True once the scheduler confirmed the cancellation (or the client cancelled it locally).</summary>
    public bool IsCanceled => _completion.Task.IsCanceled;

    /// <summary>The task ID as 32 lowercase hex digits (as the scheduler logs it).</summary>
    public string Id => Convert.ToHexStringLower(TaskId);

    /// <summary>Blocks until the task is done and returns its result or throws its failure (never an <see cref="AggregateException"/>).</summary>
    public T Result => _completion.Task.GetAwaiter().GetResult();

    byte[] IPendingTask.TaskId => TaskId;

    ShippableFunction IPendingTask.Function => Function;

    bool IPendingTask.IsCompleted => Done;

    bool IPendingTask.ExpectsResultObject => true;

    bool IPendingTask.DeletesResult => _graphTaskId is null;

    internal byte[] TaskId { get; }

    internal ShippableFunction Function => _function ?? throw new InvalidOperationException($"future {Id} holds a value and has no function");

    internal static ScalerFuture<T> FromValue(ClientAgent agent, T value) => new(agent, value);

    /// <summary>Lets <c>await future</c> work.</summary>
    public TaskAwaiter<T> GetAwaiter() => _completion.Task.GetAwaiter();

    /// <summary>The future as a <see cref="Task{TResult}"/> (for <c>Task.WhenAll</c>, <c>WaitAsync</c>...).</summary>
    public Task<T> AsTask() => _completion.Task;

    /// <summary>
    /// Asks the scheduler to cancel the task and returns at once. When the scheduler confirms, the future is
    /// cancelled; when the task is already running and cannot be stopped, its result arrives as usual. Does nothing
    /// when the task is already done or a cancel was already asked for.
    /// </summary>
    public void Cancel()
    {
        if (Done || Interlocked.Exchange(ref _cancelRequested, 1) != 0)
        {
            return;
        }

        // A graph is cancelled as a whole, by its own ID (as the reference).
        _agent.RequestCancel(_graphTaskId ?? TaskId);
    }

    /// <summary>
    /// Asks for cancellation and waits until the task is done; true when it ended cancelled, false when it completed
    /// (or failed) first.
    /// </summary>
    public async Task<bool> CancelAsync(CancellationToken cancellationToken = default)
    {
        Cancel();
        try
        {
            await _completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (_completion.Task.IsCompleted)
        {
            // Done one way or the other; the caller asks which.
        }

        return _completion.Task.IsCanceled;
    }

    public override string ToString() =>
        $"ScalerFuture<{typeof(T).Name}>({Id}, {(IsCanceled ? "cancelled" : _completion.Task.IsFaulted ? "failed" : Done ? "done" : "pending")})";

    void IPendingTask.CompleteWithResult(ReadOnlyMemory<byte> resultObject)
    {
        object? value;
        try
        {
            value = Function.DeserializeResult(resultObject);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _completion.TrySetException(new ScalerClientException(
                $"task {Id} succeeded, but its result cannot be read as {typeof(T).Name} by the {Function.Serializer.FormatId} serializer: {e.Message}", e));
            return;
        }

        if (value is T typed)
        {
            _completion.TrySetResult(typed);
        }
        else if (value is null && default(T) is null)
        {
            _completion.TrySetResult(default!);
        }
        else
        {
            _completion.TrySetException(new ScalerClientException(
                $"task {Id} returned a {value?.GetType().Name ?? "null"}, which is not a {typeof(T).Name}"));
        }
    }

    void IPendingTask.Fail(Exception error) => _completion.TrySetException(error);

    void IPendingTask.MarkCanceled() => _completion.TrySetCanceled();
}
