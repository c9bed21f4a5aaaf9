using System.Buffers.Binary;
using Scaler.Benchmarks.PythonClient;
using Scaler.EndToEnd.Tests.Support;
using Scaler.Identity;
using Scaler.Protocol;
using Scaler.Protocol.Messages;
using Xunit.Abstractions;

namespace Scaler.EndToEnd.Tests;

/// <summary>
/// The stand-in for the reference Python client (bench/Scaler.Benchmarks/PythonClient and
/// bench/python/reference_client_objects.py): its objects are the reference's bytes (checked against the golden
/// capture), it reads results as the reference does, and it runs a task on a real Scaler.NET stack. Needs
/// /usr/bin/python3 with cloudpickle and tblib (<c>apt-get install python3-cloudpickle python3-tblib</c>); without them
/// the tests fail and say so, they are never skipped.
/// </summary>
public sealed class PythonClientEmulatorTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private const string Square = "def square(x):\n    return x * x\n";

    [Fact]
    public async Task SerializerObject_IsTheReferenceClientsGolden72Bytes()
    {
        var objects = await new ReferenceClientObjects().BuildAsync("", []);

        Assert.Equal(GoldenFrame("client-to-object-storage.bin", 139), objects.Serializer);
        Assert.Equal(72, objects.Serializer.Length);
    }

    [Fact]
    public async Task Build_OfTheGoldenClientsSquare_GivesItsFunctionAndArgumentBytes()
    {
        // The golden client's script had `def square(x): return x * x` on line 2 of /home/user/app/client.py, and
        // called submit(square, 7): the same Python and cloudpickle make the same bytes.
        var objects = await new ReferenceClientObjects().BuildAsync(
            "\ndef square(x): return x * x\n", [new PythonTaskCall("square", "7")], fileName: "/home/user/app/client.py");

        Assert.Equal(GoldenFrame("client-to-object-storage.bin", 307), objects.Functions["square"]);
        Assert.Equal(GoldenFrame("client-to-object-storage.bin", 884), Assert.Single(Assert.Single(objects.Tasks).Arguments));
        Assert.Equal("square", objects.FunctionNames["square"]);
    }

    [Fact]
    public async Task Build_OfSquare_GivesAFunctionPythonLoads_AndDecodeReadsASuccess()
    {
        var script = new ReferenceClientObjects();
        var objects = await script.BuildAsync(Square, [new PythonTaskCall("square", "3"), new PythonTaskCall("square", "(2, 3)")]);

        Assert.Single(objects.Functions);
        Assert.Equal(2, objects.Tasks.Count);
        var decoded = await script.DecodeAsync(
        [
            new PythonResultObject(TaskResultType.Success, objects.Functions["square"]),
            new PythonResultObject(TaskResultType.Success, [0x80, 0x05, (byte)'K', (byte)'1', (byte)'.']),
            new PythonResultObject(TaskResultType.Success, objects.Tasks[1].Arguments[0]),
        ]);

        Assert.True(decoded[0].Loaded, decoded[0].LoadError);
        Assert.StartsWith("<function square at ", decoded[0].Repr, StringComparison.Ordinal);
        Assert.Equal("49", decoded[1].Repr);
        Assert.Equal(49, decoded[1].ValueJson!.Value.GetInt32());
        Assert.Equal("(2, 3)", decoded[2].Repr);
    }

    [Fact]
    public async Task Build_OfAClosure_PicklesItByValue()
    {
        var script = new ReferenceClientObjects();
        var objects = await script.BuildAsync(
            "def make_adder(n):\n    def add(x):\n        return x + n\n    return add\n",
            [new PythonTaskCall("make_adder(10)", "1"), new PythonTaskCall("make_adder(10)", "2")]);

        var function = Assert.Single(objects.Functions);
        Assert.Equal("make_adder(10)", function.Key);
        Assert.Equal("add", objects.FunctionNames["make_adder(10)"]);
        var decoded = await script.DecodeAsync(TaskResultType.Success, function.Value);
        Assert.StartsWith("<function make_adder.<locals>.add at ", decoded.Repr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_OfTheGoldenFailure_GivesTheRemoteValueError()
    {
        var golden = GoldenFrame("object-storage-to-client.bin", 1579);
        Assert.Equal(715, golden.Length);

        var decoded = await new ReferenceClientObjects().DecodeAsync(TaskResultType.Failed, golden);

        Assert.True(decoded.Loaded, decoded.LoadError);
        Assert.Equal("builtins.ValueError", decoded.ExceptionType);
        Assert.Equal("golden-error", decoded.Message);
        Assert.Contains("boom", decoded.Traceback, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_OfAJsonErrorPayload_IsALoadError_AsItBreaksAReferenceClient()
    {
        var json = """{"type": "System.InvalidOperationException", "message": "no"}"""u8.ToArray();

        var decoded = await new ReferenceClientObjects().DecodeAsync(TaskResultType.Failed, json);

        Assert.False(decoded.Loaded);
        Assert.Contains("invalid load key", decoded.LoadError, StringComparison.Ordinal);
    }

    [Fact]
    public void Messages_ForTheGoldenClientsIdsAndNames_AreItsFrames()
    {
        // The golden client's identity and IDs, put through the emulator's message builders, give its exact frames.
        var identity = GoldenFrame("client-to-scheduler.bin", 4);
        var owner = ObjectOwner.FromClientIdentity(identity);
        var serializerFrame = GoldenFrame("client-to-scheduler.bin", 195);
        var objectsFrame = GoldenFrame("client-to-scheduler.bin", 395);
        var taskFrame = GoldenFrame("client-to-scheduler.bin", 739);
        var golden = (TaskMessage)MessageCodec.Decode(taskFrame);
        var functionId = ObjectId.FromBytes(golden.FuncObjectId);
        var argumentId = ObjectId.FromBytes(golden.FunctionArgs[0].Data);

        var serializer = ReferencePythonClient.CreateInstructionFor(
            identity, [(ObjectId.ForSerializer(owner), ObjectContentType.Serializer, "serializer"u8.ToArray())]);
        var objects = ReferencePythonClient.CreateInstructionFor(
            identity,
            [
                (functionId, ObjectContentType.Object, "square"u8.ToArray()),
                (argumentId, ObjectContentType.Object, System.Text.Encoding.UTF8.GetBytes(ReferencePythonClient.ArgumentObjectName(argumentId))),
            ]);
        var task = ReferencePythonClient.TaskFor(
            golden.TaskId, identity, ReferencePythonClient.TaskMetadata(priority: 0), functionId.ToBytes(), [argumentId.ToBytes()], []);

        Assert.True(functionId.IsOwnedBy(owner) && argumentId.IsOwnedBy(owner));
        Assert.Equal(serializerFrame, MessageCodec.Encode(serializer));
        Assert.Equal(objectsFrame, MessageCodec.Encode(objects));
        Assert.Equal(taskFrame, MessageCodec.Encode(task));
    }

    [Fact]
    public async Task MissingInterpreter_FailsWithTheInstallHint()
    {
        var script = new ReferenceClientObjects(interpreter: "/nonexistent/python3");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => script.BuildAsync("", []));

        Assert.Contains(ReferenceClientObjects.InstallHint, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Emulator_OnARealStack_GetsATaskResultWithAResultObject()
    {
        using var cts = new CancellationTokenSource(2 * Bound);
        var script = new ReferenceClientObjects();
        var objects = await script.BuildAsync(
            Square, [new PythonTaskCall("square", "7"), .. Enumerable.Range(0, 20).Select(i => new PythonTaskCall("square", i.ToString(System.Globalization.CultureInfo.InvariantCulture)))],
            cancellationToken: cts.Token);
        await using var cluster = await LocalCluster.StartFixedAsync(1);
        await using var client = await ReferencePythonClient.ConnectAsync(cluster.Address, Bound, cts.Token);

        Assert.Matches("^Client\\|[0-9a-f]{32}$", client.Identity);
        Assert.NotNull(client.ObjectStorageAddress);
        var serializerId = await client.StoreSerializerAsync(objects.Serializer, cts.Token);
        Assert.Equal(ObjectId.ForSerializer(client.Owner).ToBytes(), serializerId);

        // As submit(square, 7): the function and the argument in one commit, then the task.
        var ids = await client.StoreObjectsAsync(
            [(objects.Functions["square"], objects.FunctionNames["square"]), (objects.Tasks[0].Arguments[0], null)], cts.Token);
        var one = await client.RunAsync(ids[0], [ids[1]], Bound, cts.Token);
        await Report(script, one);

        AssertHasResultObject(client, one);

        // As map(square, range(20)): every argument in one commit, every task at once, then gathered.
        var arguments = await client.StoreObjectsAsync(objects.Tasks.Skip(1).Select(t => ((ReadOnlyMemory<byte>)t.Arguments[0], (string?)null)).ToList(), cts.Token);
        var many = await client.RunManyAsync(ids[0], arguments.Select(a => (IReadOnlyList<byte[]>)[a]).ToList(), Bound, cts.Token);

        Assert.Equal(20, many.Count);
        Assert.Equal(20, many.Select(r => Convert.ToHexString(r.TaskId)).Distinct(StringComparer.Ordinal).Count());
        foreach (var result in many)
        {
            AssertHasResultObject(client, result);
        }

        Assert.True(client.Heartbeats.Echoed >= 1, $"heartbeats {client.Heartbeats}");
    }

    private static void AssertHasResultObject(ReferencePythonClient client, ReferenceTaskResult result)
    {
        Assert.Equal(16, result.TaskId.Length);
        Assert.Equal(4, result.TaskId[6] >> 4); // a uuid4, as the reference's TaskID.generate_task_id
        Assert.Contains(result.ResultType, new[] { TaskResultType.Success, TaskResultType.Failed });
        Assert.NotNull(result.ResultObjectId);
        Assert.True(ObjectId.FromBytes(result.ResultObjectId).IsOwnedBy(client.Owner), "the result object is not under the client's owner prefix");
        Assert.NotNull(result.ResultObject);
        Assert.NotEmpty(result.ResultObject);
    }

    /// <summary>What a reference client would make of the result: informative only, it changes once workers run Python.</summary>
    private async Task Report(ReferenceClientObjects script, ReferenceTaskResult result)
    {
        var decoded = await script.DecodeAsync(result.ResultType, result.ResultObject!);
        output.WriteLine($"task {Convert.ToHexStringLower(result.TaskId)}: {result.ResultType}, {result.ResultObject!.Length} bytes; as the reference client reads it: {decoded}");
    }

    /// <summary>The payload of the frame at <paramref name="offset"/> (its u64 length prefix) of a golden stream.</summary>
    private static byte[] GoldenFrame(string file, int offset)
    {
        var bytes = File.ReadAllBytes(Path.Combine(RepositoryRoot(), "tests", "Scaler.IO.Tests", "Golden", file));
        var length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset, 8)));
        return bytes.AsSpan(offset + 8, length).ToArray();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Scaler.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Scaler.slnx) above " + AppContext.BaseDirectory);
    }
}
