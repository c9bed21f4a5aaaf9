using System.Text;
using Scaler.Identity;
using Scaler.Protocol.Messages;
using Scaler.Scheduler.Runtime;

namespace Scaler.Scheduler.Tests.Runtime;

/// <summary>
/// The graph controller alone, on a recording host: what a failed node does to the nodes that depend on it, to the
/// nodes that do not, and to the objects they share.
/// </summary>
public sealed class GraphTaskControllerTests
{
    private static readonly ClientId Client = new("Client|graph-tests"u8.ToArray());
    private static readonly byte[] ErrorOfA = Enumerable.Repeat((byte)0xee, 32).ToArray();
    private static readonly byte[] ResultOfD = Enumerable.Repeat((byte)0xdd, 32).ToArray();
    private static readonly byte[] ResultOfP = Enumerable.Repeat((byte)0x99, 32).ToArray();

    private static TaskMessage Node(string id, params string[] dependencies) => new()
    {
        TaskId = Encoding.ASCII.GetBytes(id),
        Source = Client.Span.ToArray(),
        FuncObjectId = new byte[32],
        FunctionArgs = [.. dependencies.Select(d => new TaskMessage.Argument { Type = ArgumentType.Task, Data = Encoding.ASCII.GetBytes(d) })],
    };

    private static GraphTask Graph(string[] targets, params TaskMessage[] nodes) => new()
    {
        TaskId = "g"u8.ToArray(),
        Source = Client.Span.ToArray(),
        Targets = [.. targets.Select(t => Encoding.ASCII.GetBytes(t))],
        Graph = nodes,
    };

    private static TaskResult Failed(string id, byte[] error) => new()
    {
        TaskId = Encoding.ASCII.GetBytes(id),
        ResultType = TaskResultType.Failed,
        Metadata = [1, 2, 3],
        Results = [error],
    };

    private static TaskResult Succeeded(string id, byte[] result) => new()
    {
        TaskId = Encoding.ASCII.GetBytes(id),
        ResultType = TaskResultType.Success,
        Results = [result],
    };

    private static TaskId Id(string id) => new(Encoding.ASCII.GetBytes(id));

    [Fact]
    public void FailedNode_FailsEveryDependentWithItsError_WhileAnIndependentNodeRunsOn()
    {
        var host = new RecordingHost();
        var controller = new GraphTaskController(host);
        // a fails; b(a) and c(b) depend on it, e(a, d) too; d is independent.
        controller.Add(Client, Graph(["c", "d", "e"], Node("a"), Node("b", "a"), Node("c", "b"), Node("d"), Node("e", "a", "d")));
        Assert.Equal(["a", "d"], host.Submitted);
        Assert.Empty(host.Refusals);

        controller.OnNodeResult(Id("a"), Failed("a", ErrorOfA));

        var failed = host.Sent.OfType<TaskResult>().ToList();
        Assert.Equal(["b", "c", "e"], failed.Select(r => Encoding.ASCII.GetString(r.TaskId)).Order());
        Assert.All(failed, r =>
        {
            Assert.Equal(TaskResultType.Failed, r.ResultType);
            Assert.Equal(ErrorOfA, Assert.Single(r.Results));
            Assert.Equal([1, 2, 3], r.Metadata);
        });
        Assert.Empty(host.Sent.OfType<TaskCancelConfirm>());
        Assert.Empty(host.Canceled);
        Assert.True(controller.Owns(Id("d")), "the independent node was dropped");
        Assert.Equal(["a", "d"], host.Submitted);

        host.Sent.Clear();
        controller.OnNodeResult(Id("d"), Succeeded("d", ResultOfD));

        var graph = Assert.Single(host.Sent.OfType<TaskResult>());
        Assert.Equal("g"u8.ToArray(), graph.TaskId);
        Assert.Equal(TaskResultType.Failed, graph.ResultType);
        Assert.Equal(0, controller.Count);
        // Targets c and e carry a's error to the client, and d is a target: nothing is released.
        Assert.Empty(host.Released);
    }

    [Fact]
    public void FailedNode_WhoseErrorNoTargetCarries_ReleasesIt_OnceItsDependentsAreAnswered()
    {
        var host = new RecordingHost();
        var controller = new GraphTaskController(host);
        controller.Add(Client, Graph(["d"], Node("a"), Node("b", "a"), Node("d")));

        controller.OnNodeResult(Id("a"), Failed("a", ErrorOfA));

        Assert.Equal("b"u8.ToArray(), Assert.Single(host.Sent.OfType<TaskResult>()).TaskId);
        Assert.Equal(ErrorOfA, Assert.Single(Assert.Single(host.Released)));
    }

    [Fact]
    public void RunningParent_OfANodeThatFailed_ReleasesItsResult_WhenItArrives()
    {
        var host = new RecordingHost();
        var controller = new GraphTaskController(host);
        // x(p, a): a fails while p runs; p's result is then needed by no one.
        controller.Add(Client, Graph(["x"], Node("p"), Node("a"), Node("x", "p", "a")));

        controller.OnNodeResult(Id("a"), Failed("a", ErrorOfA));
        Assert.Empty(host.Released);
        controller.OnNodeResult(Id("p"), Succeeded("p", ResultOfP));

        Assert.Equal(ResultOfP, Assert.Single(Assert.Single(host.Released)));
        Assert.Equal(["a", "p"], host.Submitted.Order());
        Assert.Equal(TaskResultType.Failed, host.Sent.OfType<TaskResult>().Single(r => r.TaskId.SequenceEqual("g"u8.ToArray())).ResultType);
    }

    [Fact]
    public void WorkerDeath_OfANode_FailsItsDependentsTheSameWay()
    {
        var host = new RecordingHost();
        var controller = new GraphTaskController(host);
        controller.Add(Client, Graph(["b"], Node("a"), Node("b", "a")));

        controller.OnNodeResult(Id("a"), new TaskResult { TaskId = "a"u8.ToArray(), ResultType = TaskResultType.FailedWorkerDied });

        var results = host.Sent.OfType<TaskResult>().ToList();
        Assert.Equal(["b", "g"], results.Select(r => Encoding.ASCII.GetString(r.TaskId)));
        Assert.All(results, r => Assert.Equal(TaskResultType.FailedWorkerDied, r.ResultType));
        Assert.Empty(results[0].Results);
    }

    [Fact]
    public void SecondFailure_DoesNotAnswerANodeTwice()
    {
        var host = new RecordingHost();
        var controller = new GraphTaskController(host);
        // c(a, b): a fails first, then b.
        controller.Add(Client, Graph(["c"], Node("a"), Node("b"), Node("c", "a", "b")));

        controller.OnNodeResult(Id("a"), Failed("a", ErrorOfA));
        controller.OnNodeResult(Id("b"), Failed("b", ResultOfP));

        var results = host.Sent.OfType<TaskResult>().ToList();
        Assert.Equal(["c", "g"], results.Select(r => Encoding.ASCII.GetString(r.TaskId)));
        Assert.Equal(ErrorOfA, Assert.Single(results[0].Results));
        // b's error reached no one, so it is released; a's is carried by the target c.
        Assert.Equal(ResultOfP, Assert.Single(Assert.Single(host.Released)));
    }

    [Fact]
    public void Graph_NamingAnUnknownDependency_IsRefused_WithEveryNodeAndTheGraphAnswered()
    {
        var host = new RecordingHost();
        var controller = new GraphTaskController(host);

        controller.Add(Client, Graph(["b"], Node("a"), Node("b", "nowhere")));

        Assert.Contains("not in the graph", Assert.Single(host.Refusals), StringComparison.Ordinal);
        Assert.Empty(host.Submitted);
        Assert.Equal(["a", "b", "g"], host.Sent.OfType<TaskCancelConfirm>().Select(c => Encoding.ASCII.GetString(c.TaskId)));
        Assert.Equal(0, controller.Count);
        Assert.False(controller.Owns(Id("a")));
    }

    [Fact]
    public void Graph_WithACycle_IsRefused_AndNothingRuns()
    {
        var host = new RecordingHost();
        var controller = new GraphTaskController(host);

        controller.Add(Client, Graph(["c"], Node("a", "c"), Node("b", "a"), Node("c", "b"), Node("free")));

        Assert.Contains("cycle", Assert.Single(host.Refusals), StringComparison.Ordinal);
        Assert.Empty(host.Submitted);
        Assert.Equal(["a", "b", "c", "free", "g"], host.Sent.OfType<TaskCancelConfirm>().Select(c => Encoding.ASCII.GetString(c.TaskId)));
        Assert.Equal(0, controller.Count);
    }

    [Fact]
    public void EmptyGraph_FromAPeer_SucceedsAtOnce_AsTheReference()
    {
        var host = new RecordingHost();
        var controller = new GraphTaskController(host);

        controller.Add(Client, Graph([]));

        var result = Assert.Single(host.Sent.OfType<TaskResult>());
        Assert.Equal("g"u8.ToArray(), result.TaskId);
        Assert.Equal(TaskResultType.Success, result.ResultType);
        Assert.Empty(host.Refusals);
        Assert.Equal(0, controller.Count);
    }

    private sealed class RecordingHost : IGraphTaskHost
    {
        public List<string> Refusals { get; } = [];

        public List<string> Submitted { get; } = [];

        public List<TaskId> Canceled { get; } = [];

        public List<IMessage> Sent { get; } = [];

        public List<IReadOnlyList<byte[]>> Released { get; } = [];

        public void SubmitTask(ClientId client, TaskMessage task) => Submitted.Add(Encoding.ASCII.GetString(task.TaskId));

        public void CancelTask(ClientId client, TaskId task) => Canceled.Add(task);

        public void Send(ClientId client, IMessage message) => Sent.Add(message);

        public void Publish(IMessage message)
        {
        }

        public void ReleaseObjects(ClientId client, IReadOnlyList<byte[]> objectIds) => Released.Add(objectIds);

        public void LogRefused(GraphTask graph, string reason) => Refusals.Add(reason);
    }
}
