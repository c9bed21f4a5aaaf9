using Scaler.ClientTests.Support;
using Scaler.Functions;
using Scaler.Internal;
using Scaler.Protocol.Messages;

namespace Scaler.ClientTests.Parts;

/// <summary><see cref="SubmissionBuilder"/>: the messages and uploads of calls and graphs, without any connection.</summary>
public sealed class SubmissionBuilderTests
{
    private readonly ClientIdentity _identity = ClientIdentity.CreateNew();
    private readonly SubmissionBuilder _builder;

    public SubmissionBuilderTests() => _builder = new SubmissionBuilder(_identity);

    [Fact]
    public void BuildTask_FirstCall_NamesItsObjectsAndUploadsFunctionArgumentsAndCode()
    {
        var function = ShippableFunction.Capture(RemoteFunctions.Add);
        var taskId = TaskIds.New();
        var settings = new TaskSettings([new TaskCapability { Name = "gpu", Value = 1 }], priority: 3);

        var submission = _builder.BuildTask(taskId, function, "Add", function.Package(2, 3), settings);

        var task = Assert.IsType<TaskMessage>(submission.Message);
        Assert.Same(taskId, task.TaskId);
        Assert.Equal([taskId], submission.TaskIds);
        Assert.Equal(_identity.Bytes, task.Source);
        Assert.Equal(settings.Metadata(), task.Metadata);
        Assert.Same(settings.Capabilities, task.Capabilities);
        Assert.Equal(3, submission.Uploads.Count); // the function and two distinct arguments
        var byId = submission.Uploads.ToDictionary(u => Convert.ToHexString(u.Id.ToBytes()));
        var function0 = byId[Convert.ToHexString(task.FuncObjectId)];
        Assert.Equal(function.FunctionObject.ToArray(), function0.Content.ToArray());
        Assert.Equal("Add"u8.ToArray(), function0.Name);
        Assert.All(task.FunctionArgs, a => Assert.Equal(ArgumentType.ObjectID, a.Type));
        var arguments = task.FunctionArgs.Select(a => byId[Convert.ToHexString(a.Data)]).ToList();
        Assert.Equal(function.SerializeArguments(2, 3).Select(a => a.ToArray()), arguments.Select(a => a.Content.ToArray()));
        Assert.All(arguments, a => Assert.StartsWith("<obj ", System.Text.Encoding.UTF8.GetString(a.Name), StringComparison.Ordinal));
        Assert.NotEmpty(submission.Code);
        Assert.Equal(function.CodeAssemblies.Select(c => c.Reference.Sha256Hex), submission.Code.Select(c => c.Reference.Sha256Hex));
    }

    [Fact]
    public void BuildTask_SameFunctionAndArgumentsAgain_ReusesTheIdsAndUploadsNothing()
    {
        var function = ShippableFunction.Capture(RemoteFunctions.Add);
        var first = (TaskMessage)_builder.BuildTask(TaskIds.New(), function, "Add", function.Package(4, 4), TaskSettings.Default).Message;

        var again = _builder.BuildTask(TaskIds.New(), function, "Add", function.Package(4, 4), TaskSettings.Default);

        var task = (TaskMessage)again.Message;
        Assert.Empty(again.Uploads);
        Assert.Empty(again.Code);
        Assert.Equal(first.FuncObjectId, task.FuncObjectId);
        Assert.Equal(first.FunctionArgs.Select(a => a.Data), task.FunctionArgs.Select(a => a.Data));
        Assert.Equal(task.FunctionArgs[0].Data, task.FunctionArgs[1].Data); // equal arguments are one object
    }

    [Fact]
    public void Forget_FailedSubmission_ItsObjectsAndCodeAreUploadedAgain()
    {
        var function = ShippableFunction.Capture(RemoteFunctions.Square);
        var failed = _builder.BuildTask(TaskIds.New(), function, "Square", function.Package(5), TaskSettings.Default);

        _builder.Forget([failed]);
        var retried = _builder.BuildTask(TaskIds.New(), function, "Square", function.Package(5), TaskSettings.Default);

        Assert.Equal(failed.Uploads.Count, retried.Uploads.Count);
        Assert.Equal(failed.Code.Count, retried.Code.Count);
        Assert.NotEmpty(retried.Uploads);
    }

    [Fact]
    public void BuildGraph_CallsReferToTheirProducersByTaskIdAndValuesByObjectId()
    {
        var graph = new TaskGraph()
            .Value("a", 1).Value("b", 2)
            .Call("c", RemoteFunctions.Inc, "a").Call("d", RemoteFunctions.Add, "c", "b");
        var plan = GraphPlan.Create(graph, ["d"], new FunctionCache(MessagePackScalerSerializer.Instance), MessagePackScalerSerializer.Instance);
        var graphId = TaskIds.New();
        var taskIds = plan.Calls.ToDictionary(c => c.Node.Key, _ => TaskIds.New(), StringComparer.Ordinal);
        byte[][] targets = [taskIds["d"]];

        var submission = _builder.BuildGraph(graphId, plan, taskIds, targets, TaskSettings.Default);

        var message = Assert.IsType<GraphTask>(submission.Message);
        Assert.Same(graphId, message.TaskId);
        Assert.Equal(_identity.Bytes, message.Source);
        Assert.Equal(targets, message.Targets);
        Assert.Equal([graphId, taskIds["d"]], submission.TaskIds);
        var c = Assert.Single(message.Graph, t => t.TaskId == taskIds["c"]);
        var d = Assert.Single(message.Graph, t => t.TaskId == taskIds["d"]);
        Assert.Equal(ArgumentType.ObjectID, Assert.Single(c.FunctionArgs).Type);
        Assert.Equal([ArgumentType.Task, ArgumentType.ObjectID], d.FunctionArgs.Select(a => a.Type));
        Assert.Same(taskIds["c"], d.FunctionArgs[0].Data);
        var values = submission.Uploads.Where(u => u.Name.SequenceEqual("a"u8.ToArray()) || u.Name.SequenceEqual("b"u8.ToArray())).ToList();
        Assert.Equal(2, values.Count);
        Assert.Contains(values, v => v.Id.ToBytes().SequenceEqual(c.FunctionArgs[0].Data));
        Assert.Contains(values, v => v.Id.ToBytes().SequenceEqual(d.FunctionArgs[1].Data));
        Assert.Contains(submission.Uploads, u => u.Name.SequenceEqual("Inc"u8.ToArray()));
        Assert.Contains(submission.Uploads, u => u.Name.SequenceEqual("Add"u8.ToArray()));
    }
}
