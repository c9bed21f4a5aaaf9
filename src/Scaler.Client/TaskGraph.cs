using Scaler.Internal;

namespace Scaler;

/// <summary>
/// A graph of tasks for <see cref="Client.SubmitGraph"/>, as the reference's <c>client.get(graph, keys)</c>: named
/// values, and named calls whose arguments are the names of other nodes. Build it with <c>Value</c> and <c>Call</c>:
/// <code>
/// var graph = new TaskGraph()
///     .Value("a", 1).Value("b", 2)
///     .Call("c", Inc, "a").Call("d", Inc, "b")
///     .Call("e", Add, "c", "d");
/// var results = client.SubmitGraph(graph, ["e"]);   // {"e": 5}
/// </code>
/// Not thread-safe while it is being built.
/// </summary>
public sealed class TaskGraph
{
    private readonly Dictionary<string, GraphNode> _nodes = new(StringComparer.Ordinal);

    /// <summary>The node names, in the order they were added.</summary>
    public IReadOnlyCollection<string> Keys => _nodes.Keys;

    internal IReadOnlyDictionary<string, GraphNode> Nodes => _nodes;

    /// <summary>A value node; it is sent once and passed to every call that names it, written with type <typeparamref name="T"/>.</summary>
    public TaskGraph Value<T>(string key, T value)
    {
        if (value is Delegate)
        {
            throw new ArgumentException($"node '{key}' is a function: add it with {nameof(Call)}", nameof(value));
        }

        return AddNode(new GraphNode(key, value, typeof(T), null, []));
    }

    /// <summary>
    /// A call node: <paramref name="function"/> (a static method or lambda, as for <see cref="Client.Submit{T1, TResult}(Func{T1, TResult}, T1)"/>)
    /// applied to the nodes named by <paramref name="arguments"/>, in order.
    /// </summary>
    public TaskGraph Call(string key, Delegate function, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(arguments);
        foreach (var argument in arguments)
        {
            ArgumentException.ThrowIfNullOrEmpty(argument, nameof(arguments));
        }

        return AddNode(new GraphNode(key, null, null, function, [.. arguments]));
    }

    private TaskGraph AddNode(GraphNode node)
    {
        if (string.IsNullOrEmpty(node.Key))
        {
            throw new ArgumentException("a node needs a non-empty key", nameof(node));
        }

        if (!_nodes.TryAdd(node.Key, node))
        {
            throw new ArgumentException($"the graph already has a node '{node.Key}'", nameof(node));
        }

        return this;
    }
}
