using Scaler.Identity;
using Scaler.Protocol.Messages;

namespace Scaler.Scheduler.Runtime;

/// <summary>
/// Graph tasks (a DAG whose <c>task</c> arguments name other nodes' results), as the reference's graph controller:
/// a node is submitted as an ordinary task once every node it depends on succeeded, with those arguments replaced by
/// the dependency's (single) result object. A node that fails fails every node that depends on it with its own error;
/// the others run on. The client gets every node's result as for ordinary tasks, then a result (failed when a node
/// failed; or, when canceled, a cancel confirm) for the graph id itself. Intermediate results are released once every node
/// that needed them finished, unless they are targets. Driven by the scheduler's loop only.
/// </summary>
internal sealed class GraphTaskController
{
    private readonly IGraphTaskHost _host;
    private readonly Dictionary<TaskId, Graph> _graphs = [];
    private readonly Dictionary<TaskId, Graph> _graphOfNode = [];

    public GraphTaskController(IGraphTaskHost host)
    {
        _host = host;
    }

    public int Count => _graphs.Count;

    /// <summary>True for a node of a live graph, or a live graph's own id.</summary>
    public bool Owns(TaskId task) => _graphOfNode.ContainsKey(task) || _graphs.ContainsKey(task);

    /// <summary>The client of the live graph that <paramref name="task"/> is or belongs to.</summary>
    public bool TryGetClient(TaskId task, out ClientId client)
    {
        if (_graphs.TryGetValue(task, out var graph) || _graphOfNode.TryGetValue(task, out graph))
        {
            client = graph.Client;
            return true;
        }

        client = default;
        return false;
    }

    public void Add(ClientId client, GraphTask message)
    {
        var id = new TaskId(message.TaskId);
        var graph = new Graph(id, client, message.Targets.Select(target => new TaskId(target)).ToHashSet());
        foreach (var task in message.Graph)
        {
            var nodeId = new TaskId(task.TaskId);
            if (!graph.Nodes.TryAdd(nodeId, new Node(nodeId, task)))
            {
                Refuse(client, message, "a node id is used twice");
                return;
            }
        }

        foreach (var node in graph.Nodes.Values)
        {
            foreach (var argument in node.Message.FunctionArgs.Where(argument => argument.Type == ArgumentType.Task))
            {
                var dependency = new TaskId(argument.Data);
                if (!graph.Nodes.TryGetValue(dependency, out var parent))
                {
                    Refuse(client, message, "an argument names a task that is not in the graph");
                    return;
                }

                if (node.Dependencies.Add(dependency))
                {
                    parent.Dependents.Add(node.Id);
                }
            }
        }

        if (_graphs.ContainsKey(id) || graph.Nodes.Keys.Any(Owns) || HasCycle(graph))
        {
            Refuse(client, message, "the graph has a cycle or reuses a live task id");
            return;
        }

        _graphs.Add(id, graph);
        foreach (var node in graph.Nodes.Values)
        {
            _graphOfNode.Add(node.Id, graph);
            node.Waiting = node.Dependencies.Count;
            node.NeededBy = node.Dependents.Count;
            _host.Publish(new StateGraphTask
            {
                GraphTaskId = message.TaskId,
                TaskId = node.Message.TaskId,
                NodeTaskType = graph.Targets.Contains(node.Id) ? NodeTaskType.Target : NodeTaskType.Normal,
                ParentTaskIds = node.Dependencies.Select(parent => parent.Span.ToArray()).ToArray(),
            });
        }

        SubmitReady(graph, graph.Nodes.Values);
        FinishIfDone(graph);
    }

    /// <summary>The client canceled a node or the graph: the whole graph is canceled, as in the reference.</summary>
    public void Cancel(TaskId task)
    {
        if ((_graphs.TryGetValue(task, out var graph) || _graphOfNode.TryGetValue(task, out graph)) && !graph.Stopping)
        {
            CancelGraph(graph);
        }
    }

    /// <summary>A node's result was delivered to the client.</summary>
    public void OnNodeResult(TaskId task, TaskResult result)
    {
        if (!_graphOfNode.TryGetValue(task, out var graph) || !graph.Nodes.TryGetValue(task, out var node))
        {
            return;
        }

        node.State = result.ResultType == TaskResultType.Success ? NodeState.Succeeded : NodeState.Failed;
        node.Results = result.Results;
        graph.Running.Remove(task);
        ReleaseInputsOf(graph, node);
        ReleaseIfNoLongerNeeded(graph, node);
        if (graph.Stopping)
        {
            FinishIfDone(graph);
            return;
        }

        if (node.State == NodeState.Failed)
        {
            // As the reference, the nodes that can no longer run fail with this node's error; unlike it, the nodes
            // that do not depend on it keep running (decision 45).
            graph.FailedWith ??= result.ResultType;
            FailDependentsOf(graph, node, result);
            FinishIfDone(graph);
            return;
        }

        var ready = new List<Node>();
        foreach (var dependentId in node.Dependents)
        {
            var dependent = graph.Nodes[dependentId];
            if (--dependent.Waiting == 0)
            {
                ready.Add(dependent);
            }
        }

        SubmitReady(graph, ready);
        FinishIfDone(graph);
    }

    /// <summary>A node's cancel was answered (canceled or not found) and delivered to the client.</summary>
    public void OnNodeCanceled(TaskId task)
    {
        if (!_graphOfNode.TryGetValue(task, out var graph) || !graph.Nodes.TryGetValue(task, out var node))
        {
            return;
        }

        node.State = NodeState.Canceled;
        graph.Running.Remove(task);
        if (!graph.Stopping)
        {
            CancelGraph(graph);
        }

        FinishIfDone(graph);
    }

    /// <summary>The client is gone: its graphs are forgotten (its tasks were canceled by the task manager).</summary>
    public void OnClientGone(ClientId client)
    {
        foreach (var graph in _graphs.Values.Where(graph => graph.Client == client).ToArray())
        {
            Forget(graph);
        }
    }

    private void CancelGraph(Graph graph)
    {
        graph.Stopping = true;
        foreach (var node in graph.Nodes.Values.Where(node => node.State == NodeState.Waiting))
        {
            node.State = NodeState.Canceled;
            _host.Send(graph.Client, new TaskCancelConfirm
            {
                TaskId = node.Message.TaskId,
                CancelConfirmType = TaskCancelConfirmType.Canceled,
            });
        }

        foreach (var running in graph.Running.ToArray())
        {
            _host.CancelTask(graph.Client, running);
        }

        FinishIfDone(graph);
    }

    /// <summary>
    /// Answers every node that depends on <paramref name="failed"/>, directly or through other nodes, with
    /// <paramref name="failure"/>'s type, metadata and error objects: the client reads the original error for each.
    /// Those nodes share the failed node's objects (no copy is made, since the scheduler may not write to object
    /// storage), so they are kept while a target carries them, and the failed node alone releases them.
    /// </summary>
    private void FailDependentsOf(Graph graph, Node failed, TaskResult failure)
    {
        var affected = new List<Node>();
        var pending = new Queue<Node>([failed]);
        while (pending.TryDequeue(out var parent))
        {
            foreach (var dependentId in parent.Dependents)
            {
                var dependent = graph.Nodes[dependentId];
                if (dependent.State != NodeState.Waiting)
                {
                    continue;
                }

                dependent.State = NodeState.Failed;
                dependent.Results = failed.Results;
                dependent.SharesResults = true;
                failed.KeepResults |= graph.Targets.Contains(dependentId);
                affected.Add(dependent);
                pending.Enqueue(dependent);
            }
        }

        foreach (var dependent in affected)
        {
            _host.Send(graph.Client, new TaskResult
            {
                TaskId = dependent.Message.TaskId,
                ResultType = failure.ResultType,
                Metadata = failure.Metadata,
                Results = failure.Results,
            });
            ReleaseInputsOf(graph, dependent);
        }
    }

    private void SubmitReady(Graph graph, IEnumerable<Node> candidates)
    {
        foreach (var node in candidates.Where(node => node.State == NodeState.Waiting && node.Waiting == 0).ToArray())
        {
            var arguments = new List<TaskMessage.Argument>(node.Message.FunctionArgs.Count);
            foreach (var argument in node.Message.FunctionArgs)
            {
                if (argument.Type != ArgumentType.Task)
                {
                    arguments.Add(argument);
                    continue;
                }

                var parent = graph.Nodes[new TaskId(argument.Data)];
                arguments.Add(new TaskMessage.Argument
                {
                    Type = ArgumentType.ObjectID,
                    Data = parent.Results.Count > 0 ? parent.Results[0] : [],
                });
            }

            node.State = NodeState.Running;
            graph.Running.Add(node.Id);
            _host.SubmitTask(graph.Client, new TaskMessage
            {
                TaskId = node.Message.TaskId,
                Source = node.Message.Source,
                Metadata = node.Message.Metadata,
                FuncObjectId = node.Message.FuncObjectId,
                FunctionArgs = arguments,
                Capabilities = node.Message.Capabilities,
            });
        }
    }

    /// <summary>Releases a dependency's results once no node needs them any more (targets' results are the client's).</summary>
    private void ReleaseInputsOf(Graph graph, Node node)
    {
        foreach (var parentId in node.Dependencies)
        {
            var parent = graph.Nodes[parentId];
            if (--parent.NeededBy == 0)
            {
                ReleaseIfNoLongerNeeded(graph, parent);
            }
        }
    }

    /// <summary>
    /// Releases the results of a node that had dependents and has none waiting for it any more. A node whose
    /// dependents all failed before it finished releases them when its own result arrives. A target's results are the
    /// client's, and objects a failed node shares with the nodes it failed belong to that node alone.
    /// </summary>
    private void ReleaseIfNoLongerNeeded(Graph graph, Node node)
    {
        if (node.NeededBy == 0 && node.Dependents.Count > 0 && node.State is NodeState.Succeeded or NodeState.Failed
            && !node.SharesResults && !node.KeepResults && !graph.Targets.Contains(node.Id))
        {
            _host.ReleaseObjects(graph.Client, node.Results);
        }
    }

    private void FinishIfDone(Graph graph)
    {
        if (!_graphs.ContainsKey(graph.Id) || graph.Running.Count > 0
            || graph.Nodes.Values.Any(node => node.State is NodeState.Waiting or NodeState.Running))
        {
            return;
        }

        Forget(graph);
        if (graph.Stopping && graph.FailedWith is null)
        {
            _host.Send(graph.Client, new TaskCancelConfirm
            {
                TaskId = graph.Id.Span.ToArray(),
                CancelConfirmType = TaskCancelConfirmType.Canceled,
            });
            return;
        }

        _host.Send(graph.Client, new TaskResult
        {
            TaskId = graph.Id.Span.ToArray(),
            ResultType = graph.FailedWith ?? TaskResultType.Success,
        });
    }

    private void Forget(Graph graph)
    {
        _graphs.Remove(graph.Id);
        foreach (var nodeId in graph.Nodes.Keys)
        {
            _graphOfNode.Remove(nodeId);
        }
    }

    private void Refuse(ClientId client, GraphTask message, string reason)
    {
        _host.LogRefused(message, reason);
        foreach (var task in message.Graph)
        {
            _host.Send(client, new TaskCancelConfirm { TaskId = task.TaskId, CancelConfirmType = TaskCancelConfirmType.Canceled });
        }

        _host.Send(client, new TaskCancelConfirm { TaskId = message.TaskId, CancelConfirmType = TaskCancelConfirmType.Canceled });
    }

    /// <summary>Kahn's algorithm: a graph has a cycle when some node is never freed of its dependencies.</summary>
    private static bool HasCycle(Graph graph)
    {
        var waiting = graph.Nodes.Values.ToDictionary(node => node.Id, node => node.Dependencies.Count);
        var ready = new Queue<TaskId>(waiting.Where(pair => pair.Value == 0).Select(pair => pair.Key));
        var freed = 0;
        while (ready.TryDequeue(out var id))
        {
            freed++;
            foreach (var dependent in graph.Nodes[id].Dependents)
            {
                if (--waiting[dependent] == 0)
                {
                    ready.Enqueue(dependent);
                }
            }
        }

        return freed != graph.Nodes.Count;
    }

    private enum NodeState
    {
        Waiting,
        Running,
        Succeeded,
        Failed,
        Canceled,
    }

    private sealed class Graph(TaskId id, ClientId client, HashSet<TaskId> targets)
    {
        public TaskId Id { get; } = id;

        public ClientId Client { get; } = client;

        public HashSet<TaskId> Targets { get; } = targets;

        public Dictionary<TaskId, Node> Nodes { get; } = [];

        public HashSet<TaskId> Running { get; } = [];

        /// <summary>Canceling or aborting: nothing new is submitted.</summary>
        public bool Stopping { get; set; }

        /// <summary>Set when a node failed: the graph's own result is this failure.</summary>
        public TaskResultType? FailedWith { get; set; }
    }

    private sealed class Node(TaskId id, TaskMessage message)
    {
        public TaskId Id { get; } = id;

        public TaskMessage Message { get; } = message;

        public HashSet<TaskId> Dependencies { get; } = [];

        public List<TaskId> Dependents { get; } = [];

        public NodeState State { get; set; }

        public int Waiting { get; set; }

        public int NeededBy { get; set; }

        public IReadOnlyList<byte[]> Results { get; set; } = [];

        /// <summary>True for a node failed by a node it depends on: its results are that node's, not its own.</summary>
        public bool SharesResults { get; set; }

        /// <summary>True for a failed node whose error objects a target it failed carries to the client.</summary>
        public bool KeepResults { get; set; }
    }
}

/// <summary>What the graph controller asks of the scheduler (called on the loop, outside any task manager call).</summary>
internal interface IGraphTaskHost
{
    void SubmitTask(ClientId client, TaskMessage task);

    void CancelTask(ClientId client, TaskId task);

    void Send(ClientId client, IMessage message);

    void Publish(IMessage message);

    void ReleaseObjects(ClientId client, IReadOnlyList<byte[]> objectIds);

    void LogRefused(GraphTask graph, string reason);
}
