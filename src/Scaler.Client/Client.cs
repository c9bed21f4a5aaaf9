using Scaler.Functions;
using Scaler.Internal;
using Scaler.IO.Addressing;

namespace Scaler;

/// <summary>
/// A connection to a Scaler scheduler that runs .NET functions on its workers.
/// </summary>
/// <example>
/// <code>
/// using var client = new Client("tcp://127.0.0.1:8516");
/// ScalerFuture&lt;int&gt; f = client.Submit(Compute, 7);
/// IReadOnlyList&lt;int&gt; all = client.Map(Compute, Enumerable.Range(0, 50));
/// </code>
/// </example>
/// <remarks>
/// <para>Every method is thread-safe. One set of background loops per client talks to the scheduler and the object
/// storage; blocking calls (<see cref="ScalerFuture{T}.Result"/>, <see cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, TaskOptions?)"/>)
/// never need the caller's synchronization context, so they do not deadlock a UI thread (they do block it).</para>
/// <para>Every submitting call takes an optional <see cref="TaskOptions"/> (capabilities a worker must offer, and a
/// priority) that all its tasks carry; without it a task asks for no capability and has priority 0.</para>
/// <para>A function is a static method or a lambda (capturing values that the serializer can write). Submit-time
/// problems are thrown by the submitting call: <see cref="FunctionNotShippableException"/> for a function that cannot
/// be shipped, <see cref="ArgumentException"/> for an argument of the wrong type or one the serializer cannot write.</para>
/// </remarks>
public sealed class Client : IDisposable, IAsyncDisposable
{
    private readonly ClientAgent _agent;

    /// <summary>
    /// Connects to the scheduler at <paramref name="address"/> (<c>tcp://host:port</c>), blocking until connected.
    /// Throws <see cref="ScalerClientException"/> ("could not reach the scheduler at ...") when that does not happen
    /// within <see cref="ClientOptions.ConnectTimeout"/>.
    /// </summary>
    public Client(string address, ClientOptions? options = null)
        : this(ConnectAgentAsync(address, options, CancellationToken.None).GetAwaiter().GetResult())
    {
    }

    private Client(ClientAgent agent) => _agent = agent;

    /// <summary>This client's identity, <c>Client|&lt;32 hex digits&gt;</c>; the scheduler logs it.</summary>
    public string Identity => _agent.Identity.Text;

    /// <summary>The scheduler's address.</summary>
    public string SchedulerAddress => _agent.SchedulerAddress.ToString();

    /// <summary>The object storage address in use (advertised by the scheduler, or <see cref="ClientOptions.ObjectStorageAddress"/>).</summary>
    public string ObjectStorageAddress => _agent.ObjectStorageAddress?.ToString() ?? "";

    /// <summary>Tasks submitted and not yet done.</summary>
    public int PendingTaskCount => _agent.PendingCount;

    /// <summary>True once the client was disconnected, shut down, or lost the scheduler.</summary>
    public bool IsClosed => _agent.IsClosed;

    internal ClientAgent Agent => _agent;

    /// <summary>Connects without blocking; see the constructor.</summary>
    public static async Task<Client> ConnectAsync(string address, ClientOptions? options = null, CancellationToken cancellationToken = default) =>
        new(await ConnectAgentAsync(address, options, cancellationToken).ConfigureAwait(false));

    /// <summary>Submits <paramref name="function"/>() as one task.</summary>
    public ScalerFuture<TResult> Submit<TResult>(Func<TResult> function, TaskOptions? options = null) =>
        SubmitDelegate<TResult>(function, [], options);

    /// <summary>Submits an async <paramref name="function"/>; the worker awaits it and the future holds its result.</summary>
    public ScalerFuture<TResult> Submit<TResult>(Func<Task<TResult>> function, TaskOptions? options = null) =>
        SubmitDelegate<TResult>(function, [], options);

    /// <summary>Submits <paramref name="function"/>(arg1) as one task.</summary>
    public ScalerFuture<TResult> Submit<T1, TResult>(Func<T1, TResult> function, T1 arg1, TaskOptions? options = null) =>
        SubmitDelegate<TResult>(function, [arg1], options);

    /// <summary>Submits an async <paramref name="function"/>; the worker awaits it and the future holds its result.</summary>
    public ScalerFuture<TResult> Submit<T1, TResult>(Func<T1, Task<TResult>> function, T1 arg1, TaskOptions? options = null) =>
        SubmitDelegate<TResult>(function, [arg1], options);

    /// <summary>Submits <paramref name="function"/>(arg1, arg2) as one task.</summary>
    public ScalerFuture<TResult> Submit<T1, T2, TResult>(Func<T1, T2, TResult> function, T1 arg1, T2 arg2, TaskOptions? options = null) =>
        SubmitDelegate<TResult>(function, [arg1, arg2], options);

    /// <summary>Submits an async <paramref name="function"/>; the worker awaits it and the future holds its result.</summary>
    public ScalerFuture<TResult> Submit<T1, T2, TResult>(Func<T1, T2, Task<TResult>> function, T1 arg1, T2 arg2, TaskOptions? options = null) =>
        SubmitDelegate<TResult>(function, [arg1, arg2], options);

    /// <summary>Submits <paramref name="function"/>(arg1, arg2, arg3) as one task.</summary>
    public ScalerFuture<TResult> Submit<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> function, T1 arg1, T2 arg2, T3 arg3, TaskOptions? options = null) =>
        SubmitDelegate<TResult>(function, [arg1, arg2, arg3], options);

    /// <summary>Submits an async <paramref name="function"/>; the worker awaits it and the future holds its result.</summary>
    public ScalerFuture<TResult> Submit<T1, T2, T3, TResult>(Func<T1, T2, T3, Task<TResult>> function, T1 arg1, T2 arg2, T3 arg3, TaskOptions? options = null) =>
        SubmitDelegate<TResult>(function, [arg1, arg2, arg3], options);

    /// <summary>Submits <paramref name="function"/>(arg1, arg2, arg3, arg4) as one task.</summary>
    public ScalerFuture<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, T1 arg1, T2 arg2, T3 arg3, T4 arg4, TaskOptions? options = null) =>
        SubmitDelegate<TResult>(function, [arg1, arg2, arg3, arg4], options);

    /// <summary>Submits an async <paramref name="function"/>; the worker awaits it and the future holds its result.</summary>
    public ScalerFuture<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, Task<TResult>> function, T1 arg1, T2 arg2, T3 arg3, T4 arg4, TaskOptions? options = null) =>
        SubmitDelegate<TResult>(function, [arg1, arg2, arg3, arg4], options);

    /// <summary>Submits <paramref name="function"/>(arg1, arg2, arg3, arg4, arg5) as one task.</summary>
    public ScalerFuture<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, TaskOptions? options = null) =>
        SubmitDelegate<TResult>(function, [arg1, arg2, arg3, arg4, arg5], options);

    /// <summary>Submits an async <paramref name="function"/>; the worker awaits it and the future holds its result.</summary>
    public ScalerFuture<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, Task<TResult>> function, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, TaskOptions? options = null) =>
        SubmitDelegate<TResult>(function, [arg1, arg2, arg3, arg4, arg5], options);

    /// <summary>Submits <paramref name="function"/>(arg1, arg2, arg3, arg4, arg5, arg6) as one task.</summary>
    public ScalerFuture<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, TaskOptions? options = null) =>
        SubmitDelegate<TResult>(function, [arg1, arg2, arg3, arg4, arg5, arg6], options);

    /// <summary>Submits an async <paramref name="function"/>; the worker awaits it and the future holds its result.</summary>
    public ScalerFuture<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, Task<TResult>> function, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, TaskOptions? options = null) =>
        SubmitDelegate<TResult>(function, [arg1, arg2, arg3, arg4, arg5, arg6], options);

    /// <summary>
    /// Runs <paramref name="function"/> on every item and returns the results in the items' order. Submits every task
    /// first, then waits. The first failure (in order) is thrown and the remaining tasks are cancelled. Every task
    /// carries <paramref name="options"/>.
    /// </summary>
    public IReadOnlyList<TResult> Map<T, TResult>(Func<T, TResult> function, IEnumerable<T> items, TaskOptions? options = null) =>
        Gather(SubmitEach<TResult, T>(function, items, static x => [x], options));

    /// <summary>Like <see cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, TaskOptions?)"/> for an async function.</summary>
    public IReadOnlyList<TResult> Map<T, TResult>(Func<T, Task<TResult>> function, IEnumerable<T> items, TaskOptions? options = null) =>
        Gather(SubmitEach<TResult, T>(function, items, static x => [x], options));

    /// <summary>Runs <paramref name="function"/> on the items of both sequences pairwise (stops at the shorter one).</summary>
    public IReadOnlyList<TResult> Map<T1, T2, TResult>(Func<T1, T2, TResult> function, IEnumerable<T1> items1, IEnumerable<T2> items2, TaskOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(items1);
        ArgumentNullException.ThrowIfNull(items2);
        return Gather(SubmitEach<TResult, (T1, T2)>(function, items1.Zip(items2), static p => [p.Item1, p.Item2], options));
    }

    /// <summary>Runs <paramref name="function"/> on each tuple's items and returns the results in order.</summary>
    public IReadOnlyList<TResult> Starmap<T1, T2, TResult>(Func<T1, T2, TResult> function, IEnumerable<(T1, T2)> items, TaskOptions? options = null) =>
        Gather(SubmitEach<TResult, (T1, T2)>(function, items, static p => [p.Item1, p.Item2], options));

    /// <summary>Runs <paramref name="function"/> on each tuple's items and returns the results in order.</summary>
    public IReadOnlyList<TResult> Starmap<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> function, IEnumerable<(T1, T2, T3)> items, TaskOptions? options = null) =>
        Gather(SubmitEach<TResult, (T1, T2, T3)>(function, items, static p => [p.Item1, p.Item2, p.Item3], options));

    /// <summary>Runs <paramref name="function"/> on each tuple's items and returns the results in order.</summary>
    public IReadOnlyList<TResult> Starmap<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, IEnumerable<(T1, T2, T3, T4)> items, TaskOptions? options = null) =>
        Gather(SubmitEach<TResult, (T1, T2, T3, T4)>(function, items, static p => [p.Item1, p.Item2, p.Item3, p.Item4], options));

    /// <summary>
    /// Like <see cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, TaskOptions?)"/> without blocking. When
    /// <paramref name="cancellationToken"/> fires, every task not yet done is cancelled and
    /// <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    public Task<IReadOnlyList<TResult>> MapAsync<T, TResult>(Func<T, TResult> function, IEnumerable<T> items, CancellationToken cancellationToken = default) =>
        MapAsync(function, items, null, cancellationToken);

    /// <summary>
    /// Like <see cref="MapAsync{T, TResult}(Func{T, TResult}, IEnumerable{T}, CancellationToken)"/>; every task carries
    /// <paramref name="options"/>.
    /// </summary>
    public Task<IReadOnlyList<TResult>> MapAsync<T, TResult>(
        Func<T, TResult> function, IEnumerable<T> items, TaskOptions? options, CancellationToken cancellationToken = default) =>
        GatherAsync(SubmitEach<TResult, T>(function, items, static x => [x], options), cancellationToken);

    /// <summary>Like <see cref="MapAsync{T, TResult}(Func{T, TResult}, IEnumerable{T}, CancellationToken)"/> for an async function.</summary>
    public Task<IReadOnlyList<TResult>> MapAsync<T, TResult>(Func<T, Task<TResult>> function, IEnumerable<T> items, CancellationToken cancellationToken = default) =>
        MapAsync(function, items, null, cancellationToken);

    /// <summary>Like <see cref="MapAsync{T, TResult}(Func{T, TResult}, IEnumerable{T}, TaskOptions?, CancellationToken)"/> for an async function.</summary>
    public Task<IReadOnlyList<TResult>> MapAsync<T, TResult>(
        Func<T, Task<TResult>> function, IEnumerable<T> items, TaskOptions? options, CancellationToken cancellationToken = default) =>
        GatherAsync(SubmitEach<TResult, T>(function, items, static x => [x], options), cancellationToken);

    /// <summary>Like <see cref="Starmap{T1, T2, TResult}"/> without blocking; cancellation as <see cref="MapAsync{T, TResult}(Func{T, TResult}, IEnumerable{T}, CancellationToken)"/>.</summary>
    public Task<IReadOnlyList<TResult>> StarmapAsync<T1, T2, TResult>(
        Func<T1, T2, TResult> function, IEnumerable<(T1, T2)> items, CancellationToken cancellationToken = default) =>
        StarmapAsync(function, items, null, cancellationToken);

    /// <summary>
    /// Like <see cref="StarmapAsync{T1, T2, TResult}(Func{T1, T2, TResult}, IEnumerable{ValueTuple{T1, T2}}, CancellationToken)"/>;
    /// every task carries <paramref name="options"/>.
    /// </summary>
    public Task<IReadOnlyList<TResult>> StarmapAsync<T1, T2, TResult>(
        Func<T1, T2, TResult> function, IEnumerable<(T1, T2)> items, TaskOptions? options, CancellationToken cancellationToken = default) =>
        GatherAsync(SubmitEach<TResult, (T1, T2)>(function, items, static p => [p.Item1, p.Item2], options), cancellationToken);

    /// <summary>
    /// Runs a graph of tasks and returns the values of <paramref name="keys"/> (as the reference's
    /// <c>client.get(graph, keys)</c>): only the nodes those keys need are sent, as one <c>GraphTask</c>; the
    /// scheduler runs each call once its arguments are done. A key naming a value node returns the value itself. A
    /// call that fails fails every call that depends on it with its error, so the first failure (in key order) is
    /// thrown as the failing call raised it, and the rest of the graph is cancelled. Graph errors (an empty graph or
    /// no keys, unknown or duplicate keys, an argument naming no node, a cycle, an argument of the wrong count or type)
    /// throw <see cref="ArgumentException"/> here, before anything is sent. Every call of the graph carries
    /// <paramref name="options"/>.
    /// </summary>
    public IReadOnlyDictionary<string, object?> SubmitGraph(TaskGraph graph, IEnumerable<string> keys, TaskOptions? options = null)
    {
        var (plan, futures, umbrella) = StartGraph(graph, keys, options);
        try
        {
            return plan.Keys.ToDictionary(k => k, k => futures[k].Result, StringComparer.Ordinal);
        }
        catch
        {
            CancelGraph(umbrella);
            throw;
        }
    }

    /// <summary>
    /// Like <see cref="SubmitGraph"/> without blocking; when <paramref name="cancellationToken"/> fires the graph is
    /// cancelled and <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    public Task<IReadOnlyDictionary<string, object?>> SubmitGraphAsync(TaskGraph graph, IEnumerable<string> keys, CancellationToken cancellationToken = default) =>
        SubmitGraphAsync(graph, keys, null, cancellationToken);

    /// <summary>
    /// Like <see cref="SubmitGraphAsync(TaskGraph, IEnumerable{string}, CancellationToken)"/>; every call of the graph
    /// carries <paramref name="options"/>.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, object?>> SubmitGraphAsync(
        TaskGraph graph, IEnumerable<string> keys, TaskOptions? options, CancellationToken cancellationToken = default)
    {
        var (plan, futures, umbrella) = StartGraph(graph, keys, options);
        var results = new Dictionary<string, object?>(StringComparer.Ordinal);
        try
        {
            foreach (var key in plan.Keys)
            {
                results[key] = await futures[key].AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            CancelGraph(umbrella);
            throw;
        }

        return results;
    }

    /// <summary>
    /// Submits a graph as <see cref="SubmitGraph"/> does and returns at once with one future per key, in the order of
    /// <paramref name="keys"/> (the reference's <c>client.get(graph, keys, block=False)</c>). A key naming a value node
    /// has a future that is already done. A call that fails fails its future with its error, and so does every call
    /// that depends on it (directly or through other calls); calls that do not depend on it run on. Only the keys'
    /// results are read from object storage. Cancelling any of the futures cancels the whole graph, as the reference.
    /// Graph errors throw <see cref="ArgumentException"/> here, before anything is sent.
    /// </summary>
    public IReadOnlyDictionary<string, ScalerFuture<object?>> SubmitGraphAsFutures(TaskGraph graph, IEnumerable<string> keys, TaskOptions? options = null) =>
        StartGraph(graph, keys, options).Futures;

    /// <summary>
    /// Tells the scheduler this client leaves (<c>ClientDisconnect</c>); the scheduler cancels its tasks and deletes its
    /// objects. Tasks still pending fail with <see cref="ScalerClientException"/>. The scheduler keeps running.
    /// </summary>
    public void Disconnect() => DisconnectAsync().GetAwaiter().GetResult();

    /// <inheritdoc cref="Disconnect"/>
    public Task DisconnectAsync() => Task.Run(_agent.DisconnectAsync);

    /// <summary>
    /// Asks the scheduler to shut the cluster down (scheduler and workers; other clients' tasks are cancelled) and
    /// waits for its answer, then closes this client. Throws <see cref="InvalidOperationException"/> when the scheduler
    /// runs in protected mode and refuses, <see cref="ScalerClientException"/> when it does not answer within
    /// <see cref="ClientOptions.ShutdownTimeout"/>.
    /// </summary>
    public void Shutdown() => ShutdownAsync().GetAwaiter().GetResult();

    /// <inheritdoc cref="Shutdown"/>
    public Task ShutdownAsync() => Task.Run(_agent.ShutdownAsync);

    /// <summary>Same as <see cref="Disconnect"/>.</summary>
    public void Dispose() => Disconnect();

    /// <summary>Same as <see cref="DisconnectAsync"/>.</summary>
    public async ValueTask DisposeAsync() => await DisconnectAsync().ConfigureAwait(false);

    public override string ToString() => $"Scaler client {Identity} of {SchedulerAddress}";

    private static async Task<ClientAgent> ConnectAgentAsync(string address, ClientOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!ScalerAddress.TryParse(address, out var parsed, out var error))
        {
            throw new ArgumentException($"'{address}' is not a scheduler address: {error}", nameof(address));
        }

        var settings = (options ?? new ClientOptions()).Clone();
        settings.Validate();
        // On the thread pool: the transport starts its loops with Task.Yield, which would post them to the caller's
        // synchronization context (a UI thread blocked in the constructor would then never see them run).
        return await Task.Run(() => ClientAgent.ConnectAsync(parsed, settings, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private static TResult[] Gather<TResult>(List<ScalerFuture<TResult>> futures)
    {
        var results = new TResult[futures.Count];
        try
        {
            for (var i = 0; i < results.Length; i++)
            {
                results[i] = futures[i].Result;
            }
        }
        catch
        {
            CancelAll(futures);
            throw;
        }

        return results;
    }

    private static async Task<IReadOnlyList<TResult>> GatherAsync<TResult>(List<ScalerFuture<TResult>> futures, CancellationToken cancellationToken)
    {
        var results = new TResult[futures.Count];
        try
        {
            for (var i = 0; i < results.Length; i++)
            {
                results[i] = await futures[i].AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            CancelAll(futures);
            throw;
        }

        return results;
    }

    /// <summary>A graph is cancelled as a whole, by its own ID (as the reference), once.</summary>
    private void CancelGraph(GraphUmbrella? umbrella)
    {
        if (umbrella is { IsCompleted: false })
        {
            _agent.RequestCancel(umbrella.TaskId);
        }
    }

    /// <summary>
    /// Checks and submits the graph; returns a future for every key in key order (a value key's is done already) and
    /// the graph's own entry, or null when the keys name values only and so nothing is sent.
    /// </summary>
    private (GraphPlan Plan, Dictionary<string, ScalerFuture<object?>> Futures, GraphUmbrella? Graph) StartGraph(
        TaskGraph graph, IEnumerable<string> keys, TaskOptions? options)
    {
        var settings = TaskOptions.SettingsOf(options);
        var plan = GraphPlan.Create(graph, keys, _agent.Functions, _agent.Serializer);
        Dictionary<string, ScalerFuture<object?>> calls = [];
        GraphUmbrella? umbrella = null;
        if (plan.Calls.Count > 0)
        {
            (calls, umbrella) = _agent.SubmitGraph(plan, settings);
        }

        var futures = new Dictionary<string, ScalerFuture<object?>>(StringComparer.Ordinal);
        foreach (var key in plan.Keys)
        {
            futures[key] = calls.TryGetValue(key, out var call) ? call : ScalerFuture<object?>.FromValue(_agent, graph.Nodes[key].Value);
        }

        return (plan, futures, umbrella);
    }

    private static void CancelAll<TResult>(List<ScalerFuture<TResult>> futures)
    {
        foreach (var future in futures)
        {
            future.Cancel();
        }
    }

    private ScalerFuture<TResult> SubmitDelegate<TResult>(Delegate function, object?[] arguments, TaskOptions? options)
    {
        ArgumentNullException.ThrowIfNull(function);
        var settings = TaskOptions.SettingsOf(options);
        return _agent.Submit<TResult>(_agent.Functions.Capture(function), function.Method.Name, arguments, settings);
    }

    /// <summary>Captures the function once and submits one task per item; on a submit-time error cancels what was submitted.</summary>
    private List<ScalerFuture<TResult>> SubmitEach<TResult, TItem>(
        Delegate function, IEnumerable<TItem> items, Func<TItem, object?[]> arguments, TaskOptions? options)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(items);
        var settings = TaskOptions.SettingsOf(options);
        var shippable = _agent.Functions.Capture(function);
        var name = function.Method.Name;
        var futures = new List<ScalerFuture<TResult>>(items.TryGetNonEnumeratedCount(out var count) ? count : 16);
        try
        {
            foreach (var item in items)
            {
                futures.Add(_agent.Submit<TResult>(shippable, name, arguments(item), settings));
            }
        }
        catch
        {
            CancelAll(futures);
            throw;
        }

        return futures;
    }
}
