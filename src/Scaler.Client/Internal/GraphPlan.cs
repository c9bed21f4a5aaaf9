using Scaler.Functions;

namespace Scaler.Internal;

/// <summary>
/// A graph checked and reduced to what the requested keys need (the reference culls the same way): the graph has
/// nodes, there is at least one key, keys exist and are distinct, every argument names a node, there is no cycle,
/// argument counts and types fit, and value nodes that a call uses are serialized with their declared type. Calls
/// come in dependency order. The reference accepts an empty graph or no keys and answers with nothing; here both are
/// refused, since they are a caller's mistake more often than a request.
/// </summary>
internal sealed class GraphPlan
{
    private GraphPlan(List<(GraphNode Node, ShippableFunction Function)> calls, Dictionary<string, byte[]> values, IReadOnlyList<string> keys)
    {
        Calls = calls;
        Values = values;
        Keys = keys;
    }

    /// <summary>Calls in dependency order (arguments before their users).</summary>
    public List<(GraphNode Node, ShippableFunction Function)> Calls { get; }

    /// <summary>Serialized value nodes that some call uses.</summary>
    public Dictionary<string, byte[]> Values { get; }

    public IReadOnlyList<string> Keys { get; }

    public static GraphPlan Create(TaskGraph graph, IEnumerable<string> keys, FunctionCache functions, IScalerSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(keys);
        if (graph.Nodes.Count == 0)
        {
            throw new ArgumentException("the graph is empty: add nodes with Value and Call", nameof(graph));
        }

        var keyList = keys.ToList();
        if (keyList.Count == 0)
        {
            throw new ArgumentException("no keys: name at least one node of the graph whose value you want", nameof(keys));
        }

        var duplicates = keyList.GroupBy(k => k, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new ArgumentException($"duplicate key(s): {string.Join(", ", duplicates)}", nameof(keys));
        }

        var nodes = graph.Nodes;
        foreach (var key in keyList)
        {
            if (!nodes.ContainsKey(key))
            {
                throw new ArgumentException($"key '{key}' is not a node of the graph", nameof(keys));
            }
        }

        var ordered = new List<GraphNode>();
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: visiting, true: done
        foreach (var key in keyList)
        {
            Visit(nodes, key, state, ordered, []);
        }

        var captured = new Dictionary<string, ShippableFunction>(StringComparer.Ordinal);
        var calls = new List<(GraphNode, ShippableFunction)>();
        var values = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var node in ordered.Where(n => n.Function is not null))
        {
            var function = functions.Capture(node.Function!);
            if (function.ParameterTypes.Count != node.Arguments.Length)
            {
                throw new ArgumentException(
                    $"node '{node.Key}' names {node.Arguments.Length} argument(s), but its function takes {function.ParameterTypes.Count}", nameof(graph));
            }

            for (var i = 0; i < node.Arguments.Length; i++)
            {
                var source = nodes[node.Arguments[i]];
                var produced = source.Function is null ? source.ValueType! : captured[source.Key].ResultType;
                var wanted = function.ParameterTypes[i];
                if (!wanted.IsAssignableFrom(produced))
                {
                    throw new ArgumentException(
                        $"node '{node.Key}' passes '{source.Key}' ({produced.Name}) as argument {i} of type {wanted.Name}", nameof(graph));
                }

                if (source.Function is null && !values.ContainsKey(source.Key))
                {
                    values[source.Key] = Serialize(serializer, source);
                }
            }

            captured[node.Key] = function;
            calls.Add((node, function));
        }

        return new GraphPlan(calls, values, keyList);
    }

    private static void Visit(IReadOnlyDictionary<string, GraphNode> nodes, string key, Dictionary<string, bool> state, List<GraphNode> ordered, List<string> path)
    {
        if (state.TryGetValue(key, out var done))
        {
            if (!done)
            {
                throw new ArgumentException($"the graph has a cycle: {string.Join(" -> ", path.SkipWhile(k => k != key))} -> {key}");
            }

            return;
        }

        if (!nodes.TryGetValue(key, out var node))
        {
            throw new ArgumentException($"node '{path[^1]}' names '{key}', which is not a node of the graph");
        }

        state[key] = false;
        path.Add(key);
        foreach (var argument in node.Arguments)
        {
            Visit(nodes, argument, state, ordered, path);
        }

        path.RemoveAt(path.Count - 1);
        state[key] = true;
        ordered.Add(node);
    }

    private static byte[] Serialize(IScalerSerializer serializer, GraphNode node)
    {
        try
        {
            return serializer.Serialize(node.Value, node.ValueType!);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ArgumentException(
                $"value node '{node.Key}' of type {node.ValueType!.Name} cannot be serialized by the {serializer.FormatId} serializer: {e.Message}", e);
        }
    }
}
