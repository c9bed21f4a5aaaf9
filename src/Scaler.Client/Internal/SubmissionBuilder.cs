using System.Text;
using Scaler.Functions;
using Scaler.Protocol.Messages;

namespace Scaler.Internal;

/// <summary>
/// Turns a packaged call, or a graph plan, into a <see cref="Submission"/>: the <c>Task</c> or <c>GraphTask</c> message
/// naming its objects by ID, and the objects and code assemblies this client has not stored yet (the
/// <see cref="ObjectPlanner"/> decides which). Not thread-safe: the caller serializes calls, and queues each submission
/// before building the next, so a submission never names an object whose store is queued behind it.
/// </summary>
internal sealed class SubmissionBuilder
{
    private readonly ClientIdentity _identity;
    private readonly ObjectPlanner _planner;

    public SubmissionBuilder(ClientIdentity identity)
    {
        _identity = identity;
        _planner = new ObjectPlanner(identity.Owner);
    }

    /// <summary>The submission of one task: <paramref name="function"/> called with <paramref name="call"/>'s arguments.</summary>
    public Submission BuildTask(byte[] taskId, ShippableFunction function, string functionName, PackagedCall call, TaskSettings settings)
    {
        var uploads = new List<PendingUpload>();
        var code = new List<CodeAssembly>();
        _planner.PlaceCode(function.CodeAssemblies, code);
        var functionId = _planner.PlaceFunction(function.FunctionObject, _ => Encoding.UTF8.GetBytes(functionName), uploads);
        var argumentIds = new TaskMessage.Argument[call.ArgumentObjects.Count];
        for (var i = 0; i < argumentIds.Length; i++)
        {
            var id = _planner.Place(call.ArgumentObjects[i], static id => Encoding.UTF8.GetBytes($"<obj {id}>"), uploads);
            argumentIds[i] = new TaskMessage.Argument { Type = ArgumentType.ObjectID, Data = id.ToBytes() };
        }

        var task = new TaskMessage
        {
            TaskId = taskId,
            Source = _identity.Bytes,
            Metadata = settings.Metadata(),
            FuncObjectId = functionId.ToBytes(),
            FunctionArgs = argumentIds,
            Capabilities = settings.Capabilities,
        };
        return new Submission(task, [taskId], uploads, code);
    }

    /// <summary>
    /// The submission of a graph: one <c>GraphTask</c> holding every call of <paramref name="plan"/> (an argument that
    /// is another call travels as a reference to that call's task ID), with <paramref name="targets"/> as the tasks
    /// whose results are reported.
    /// </summary>
    /// <param name="graphId">The graph's own ID, which the scheduler answers once the whole graph is done.</param>
    /// <param name="plan">The calls and values the requested keys need.</param>
    /// <param name="taskIds">The task ID of every call, by key.</param>
    /// <param name="targets">The task IDs of the requested calls.</param>
    /// <param name="settings">What every call carries.</param>
    public Submission BuildGraph(byte[] graphId, GraphPlan plan, IReadOnlyDictionary<string, byte[]> taskIds, byte[][] targets, TaskSettings settings)
    {
        var uploads = new List<PendingUpload>();
        var code = new List<CodeAssembly>();
        var valueIds = plan.Values.ToDictionary(
            v => v.Key, v => _planner.Place(v.Value, _ => Encoding.UTF8.GetBytes(v.Key), uploads), StringComparer.Ordinal);
        var tasks = new List<TaskMessage>(plan.Calls.Count);
        foreach (var (node, function) in plan.Calls)
        {
            _planner.PlaceCode(function.CodeAssemblies, code);
            var functionId = _planner.PlaceFunction(function.FunctionObject, _ => Encoding.UTF8.GetBytes(node.Function!.Method.Name), uploads);
            tasks.Add(new TaskMessage
            {
                TaskId = taskIds[node.Key],
                Source = _identity.Bytes,
                Metadata = settings.Metadata(),
                FuncObjectId = functionId.ToBytes(),
                FunctionArgs = node.Arguments.Select(a => taskIds.TryGetValue(a, out var producer)
                    ? new TaskMessage.Argument { Type = ArgumentType.Task, Data = producer }
                    : new TaskMessage.Argument { Type = ArgumentType.ObjectID, Data = valueIds[a].ToBytes() }).ToArray(),
                Capabilities = settings.Capabilities,
            });
        }

        var graphTask = new GraphTask
        {
            TaskId = graphId,
            Source = _identity.Bytes,
            Targets = targets,
            Graph = tasks,
        };
        return new Submission(graphTask, [graphId, .. targets], uploads, code);
    }

    /// <summary>Forgets the uploads of submissions whose stores failed, so a later submission stores those objects again.</summary>
    public void Forget(IReadOnlyList<Submission> failed) =>
        _planner.Forget(failed.SelectMany(s => s.Uploads), failed.SelectMany(s => s.Code));
}
