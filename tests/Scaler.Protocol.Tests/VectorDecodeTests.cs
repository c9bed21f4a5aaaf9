using System.Text;
using Scaler.Protocol.Messages;
using Scaler.Protocol.Tests.Support;

namespace Scaler.Protocol.Tests;

/// <summary>
/// Decodes the vectors made by the official `capnp encode` (scripts/make-vectors.sh) and checks values written by
/// hand from each vector's .txt file.
/// </summary>
public sealed class VectorDecodeTests
{
    private static T Decode<T>(string name)
        where T : IMessage => Assert.IsType<T>(MessageCodec.Decode(RepoPaths.Vector(name)));

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void EveryMessageUnionMember_HasAVectorThatDecodesToItsKind()
    {
        var kinds = RepoPaths.VectorNames()
            .Where(n => CapnpTool.RootOf(n) == "Message")
            .Select(n => MessageCodec.Decode(RepoPaths.Vector(n)).Kind)
            .ToHashSet();
        Assert.Equal(Enum.GetValues<MessageKind>().ToHashSet(), kinds);
        Assert.Equal(28, kinds.Count);
    }

    [Fact]
    public void Task_DecodesEveryField()
    {
        var task = Decode<TaskMessage>("task");
        Assert.Equal(MessageKind.Task, task.Kind);
        Assert.Equal(Bytes("task-0001-abcdef"), task.TaskId);
        Assert.Equal(Bytes("Client|vector-source"), task.Source);
        Assert.Equal(new byte[] { 1, 2, 3 }, task.Metadata);
        Assert.Equal(32, task.FuncObjectId.Length);
        Assert.Equal(2, task.FunctionArgs.Count);
        Assert.Equal(ArgumentType.Task, task.FunctionArgs[0].Type);
        Assert.Equal(Bytes("parent-task-0001"), task.FunctionArgs[0].Data);
        Assert.Equal(ArgumentType.ObjectID, task.FunctionArgs[1].Type);
        Assert.Equal(Bytes("arg-object-id-0123456789abcdefgh"), task.FunctionArgs[1].Data);
        Assert.Equal("gpu", task.Capabilities[0].Name);
        Assert.Equal(-1, task.Capabilities[0].Value);
        Assert.Equal("linux", task.Capabilities[1].Name);
        Assert.Equal(4, task.Capabilities[1].Value);
    }

    [Theory]
    [InlineData("task-cancel-force", "cancel-me-000001", true)]
    [InlineData("task-cancel-noforce", "cancel-me-000002", false)]
    public void TaskCancel_DecodesNestedFlags(string name, string taskId, bool force)
    {
        var cancel = Decode<TaskCancel>(name);
        Assert.Equal(Bytes(taskId), cancel.TaskId);
        Assert.Equal(force, cancel.Flags.Force);
    }

    [Theory]
    [InlineData("task-cancel-confirm-canceled", TaskCancelConfirmType.Canceled, 0)]
    [InlineData("task-cancel-confirm-cancel-failed", TaskCancelConfirmType.CancelFailed, 1)]
    [InlineData("task-cancel-confirm-cancel-not-found", TaskCancelConfirmType.CancelNotFound, 2)]
    public void TaskCancelConfirm_DecodesEveryEnumValue(string name, TaskCancelConfirmType type, int ordinal)
    {
        var confirm = Decode<TaskCancelConfirm>(name);
        Assert.Equal(type, confirm.CancelConfirmType);
        Assert.Equal(ordinal, (int)confirm.CancelConfirmType);
        Assert.Equal(Bytes("confirm-" + ordinal), confirm.TaskId);
    }

    [Theory]
    [InlineData("task-result-success", TaskResultType.Success, 2)]
    [InlineData("task-result-failed", TaskResultType.Failed, 1)]
    [InlineData("task-result-failed-worker-died", TaskResultType.FailedWorkerDied, 0)]
    public void TaskResult_DecodesEveryEnumValue(string name, TaskResultType type, int results)
    {
        var result = Decode<TaskResult>(name);
        Assert.Equal(type, result.ResultType);
        Assert.Equal(results, result.Results.Count);
    }

    [Fact]
    public void TaskResult_Success_DecodesDataList()
    {
        var result = Decode<TaskResult>("task-result-success");
        Assert.Equal(Bytes("result-0"), result.TaskId);
        Assert.Equal(Bytes("meta"), result.Metadata);
        Assert.Equal(Bytes("result-object-1"), result.Results[1]);
    }

    [Fact]
    public void TaskLog_DecodesTextIncludingUtf8()
    {
        var stdout = Decode<TaskLog>("task-log-stdout");
        Assert.Equal(LogType.Stdout, stdout.LogType);
        Assert.Equal("hello stdout\n", stdout.Content);
        var stderr = Decode<TaskLog>("task-log-stderr");
        Assert.Equal(LogType.Stderr, stderr.LogType);
        Assert.Equal("héllo wörld ✓", stderr.Content);
    }

    [Fact]
    public void GraphTask_DecodesListOfTasks()
    {
        var graph = Decode<GraphTask>("graph-task");
        Assert.Equal(Bytes("graph-0"), graph.TaskId);
        Assert.Equal([Bytes("node-b")], graph.Targets);
        Assert.Equal(2, graph.Graph.Count);
        Assert.Equal(Bytes("fn-a"), graph.Graph[0].FuncObjectId);
        Assert.Empty(graph.Graph[0].FunctionArgs);
        Assert.Equal(Bytes("node-a"), graph.Graph[1].FunctionArgs[0].Data);
        Assert.Equal("cpu", graph.Graph[1].Capabilities[0].Name);
        Assert.Equal(2, graph.Graph[1].Capabilities[0].Value);
    }

    [Fact]
    public void ObjectInstruction_DecodesEveryInstructionTypeAndContentType()
    {
        var create = Decode<ObjectInstruction>("object-instruction-create");
        Assert.Equal(ObjectInstructionType.Create, create.InstructionType);
        Assert.Equal(Bytes("Client|owner"), create.ObjectUser);
        Assert.Equal([ObjectContentType.Serializer, ObjectContentType.Object], create.ObjectMetadata.ObjectTypes);
        Assert.Equal(Bytes("square"), create.ObjectMetadata.ObjectNames[1]);
        Assert.Equal(Bytes("object-id-1"), create.ObjectMetadata.ObjectIds[1]);

        var delete = Decode<ObjectInstruction>("object-instruction-delete");
        Assert.Equal(ObjectInstructionType.Delete, delete.InstructionType);
        Assert.Empty(delete.ObjectUser);
        Assert.Single(delete.ObjectMetadata.ObjectIds);

        var clear = Decode<ObjectInstruction>("object-instruction-clear");
        Assert.Equal(ObjectInstructionType.Clear, clear.InstructionType);
        Assert.Empty(clear.ObjectMetadata.ObjectIds);
    }

    [Fact]
    public void ClientHeartbeat_DecodesMaximumUnsignedValues()
    {
        var heartbeat = Decode<ClientHeartbeat>("client-heartbeat");
        Assert.Equal(992, heartbeat.Resource.Cpu);
        Assert.Equal(ulong.MaxValue, heartbeat.Resource.Rss);
        Assert.Equal(uint.MaxValue, heartbeat.LatencyUS);
    }

    [Fact]
    public void HeartbeatEchoes_DecodeObjectStorageAddress()
    {
        var client = Decode<ClientHeartbeatEcho>("client-heartbeat-echo");
        Assert.Equal("10.1.2.3", client.ObjectStorageAddress.Host);
        Assert.Equal(65535, client.ObjectStorageAddress.Port);
        Assert.Equal("tls", client.ObjectStorageAddress.Scheme);

        var worker = Decode<WorkerHeartbeatEcho>("worker-heartbeat-echo");
        Assert.Equal("127.0.0.1", worker.ObjectStorageAddress.Host);
        Assert.Equal(0, worker.ObjectStorageAddress.Port);
        Assert.Equal("tcp", worker.ObjectStorageAddress.Scheme);
    }

    [Fact]
    public void WorkerHeartbeat_DecodesBoolsNestedStructsAndSignedExtremes()
    {
        var heartbeat = Decode<WorkerHeartbeat>("worker-heartbeat");
        Assert.Equal(5, heartbeat.Agent.Cpu);
        Assert.Equal(26741760ul, heartbeat.Agent.Rss);
        Assert.Equal(24774242304ul, heartbeat.RssFree);
        Assert.Equal(1000u, heartbeat.QueueSize);
        Assert.Equal(7u, heartbeat.QueuedTasks);
        Assert.Equal(631u, heartbeat.LatencyUS);
        Assert.True(heartbeat.TaskLock);
        Assert.Equal(25276510208ul, heartbeat.MemLimit);
        Assert.Equal(Bytes("wm-vector"), heartbeat.WorkerManagerID);

        var first = heartbeat.Processors[0];
        Assert.Equal(23357u, first.Pid);
        Assert.True(first.Initialized);
        Assert.False(first.HasTask);
        Assert.True(first.Suspended);
        Assert.Equal(12, first.Resource.Cpu);
        var second = heartbeat.Processors[1];
        Assert.False(second.Initialized);
        Assert.True(second.HasTask);
        Assert.False(second.Suspended);
        Assert.Equal(1ul, second.Resource.Rss);

        Assert.Equal(-1, heartbeat.Capabilities[0].Value);
        Assert.Equal(long.MinValue, heartbeat.Capabilities[1].Value);
        Assert.Equal(long.MaxValue, heartbeat.Capabilities[2].Value);
    }

    [Fact]
    public void Disconnects_DecodeWorker()
    {
        Assert.Equal(Bytes("Worker|leaving"), Decode<DisconnectRequest>("disconnect-request").Worker);
        Assert.Equal(Bytes("Worker|gone"), Decode<DisconnectResponse>("disconnect-response").Worker);
    }

    [Fact]
    public void EmptyStructMembers_Decode()
    {
        Assert.Equal(MessageKind.StateClient, Decode<StateClient>("state-client").Kind);
        Assert.Equal(MessageKind.StateObject, Decode<StateObject>("state-object").Kind);
        Assert.Equal(MessageKind.ProcessorInitialized, Decode<ProcessorInitialized>("processor-initialized").Kind);
        Assert.Equal(MessageKind.WorkerManagerHeartbeatEcho, Decode<WorkerManagerHeartbeatEcho>("worker-manager-heartbeat-echo").Kind);
    }

    [Fact]
    public void StateBalanceAdvice_DecodesTaskIds()
    {
        var advice = Decode<StateBalanceAdvice>("state-balance-advice");
        Assert.Equal(Bytes("Worker|busy"), advice.WorkerId);
        Assert.Equal([Bytes("t-1"), Bytes("t-2"), Bytes("t-3")], advice.TaskIds);
    }

    [Fact]
    public void StateScheduler_DecodesDeeplyNestedStatus()
    {
        var state = Decode<StateScheduler>("state-scheduler");
        Assert.Equal("Client|a", state.Binder.Received[0].Client);
        Assert.Equal(10u, state.Binder.Received[0].Number);
        Assert.Equal(2, state.Binder.Sent.Count);
        Assert.Equal(30u, state.Binder.Sent[1].Number);
        Assert.Equal(100, state.Scheduler.Cpu);
        Assert.Equal(3000ul, state.RssFree);
        Assert.Equal(Bytes("Client|a"), state.ClientManager.ClientToNumOfTask[0].Client);
        Assert.Equal(4u, state.ClientManager.ClientToNumOfTask[0].NumTask);
        Assert.Equal(42u, state.ObjectManager.NumberOfObjects);
        Assert.Equal(255, state.TaskManager.StateToCount[1].State);
        Assert.Equal(uint.MaxValue, state.TaskManager.StateToCount[1].Count);

        var worker = state.WorkerManager.Workers[0];
        Assert.Equal(Bytes("Worker|b"), worker.WorkerId);
        Assert.Equal(7, worker.Agent.Cpu);
        Assert.Equal(9ul, worker.RssFree);
        Assert.Equal(10u, worker.Free);
        Assert.Equal(11u, worker.Sent);
        Assert.Equal(12u, worker.Queued);
        Assert.Equal(13, worker.Suspended);
        Assert.Equal(14ul, worker.LagUS);
        Assert.Equal(15, worker.LastS);
        Assert.Equal("101", worker.Itl);
        Assert.Equal(16u, worker.ProcessorStatuses[0].Pid);
        Assert.Equal(18ul, worker.ProcessorStatuses[0].Resource.Rss);
        Assert.Equal(19ul, worker.MemLimit);

        Assert.Equal([Bytes("Worker|b"), Bytes("Worker|c")], state.ScalingManager.ManagedWorkers[0].WorkerIDs);
        var detail = state.ScalingManager.WorkerManagerDetails[0];
        Assert.Equal(Bytes("wm-1"), detail.WorkerManagerID);
        Assert.Equal("WorkerManager|wm-1", detail.Identity);
        Assert.Equal(3, detail.LastSeenS);
        Assert.Equal(8u, detail.MaxTaskConcurrency);
        Assert.Equal("gpu,linux", detail.Capabilities);
        Assert.Equal(2u, detail.PendingWorkers);
    }

    [Fact]
    public void StateWorker_DecodesEveryWorkerState()
    {
        var connected = Decode<StateWorker>("state-worker-connected");
        Assert.Equal(WorkerState.Connected, connected.State);
        Assert.Equal(1, connected.Capabilities[0].Value);
        var disconnected = Decode<StateWorker>("state-worker-disconnected");
        Assert.Equal(WorkerState.Disconnected, disconnected.State);
        Assert.Empty(disconnected.Capabilities);
    }

    [Fact]
    public void StateTask_DecodesEveryTaskState()
    {
        var names = new[]
        {
            "inactive", "running", "canceling", "balanceCanceling", "success", "failed", "failedWorkerDied", "canceled",
            "canceledNotFound", "balanceCanceled", "workerDisconnecting",
        };
        for (var i = 0; i < names.Length; i++)
        {
            var state = Decode<StateTask>($"state-task-{i}-{names[i]}");
            Assert.Equal(i, (int)state.State);
            Assert.Equal(names[i], state.State.ToString(), StringComparer.OrdinalIgnoreCase);
            Assert.Equal(Bytes("square"), state.FunctionName);
            Assert.Equal(Bytes("Worker|b"), state.Worker);
            Assert.Equal(Bytes("m" + i), state.Metadata);
        }
    }

    [Fact]
    public void StateGraphTask_DecodesEveryNodeType()
    {
        var normal = Decode<StateGraphTask>("state-graph-task-normal");
        Assert.Equal(NodeTaskType.Normal, normal.NodeTaskType);
        Assert.Empty(normal.ParentTaskIds);
        var target = Decode<StateGraphTask>("state-graph-task-target");
        Assert.Equal(NodeTaskType.Target, target.NodeTaskType);
        Assert.Equal(Bytes("graph-0"), target.GraphTaskId);
        Assert.Equal([Bytes("node-a")], target.ParentTaskIds);
    }

    [Fact]
    public void ClientDisconnectAndShutdown_DecodeEnumsAndBools()
    {
        Assert.Equal(DisconnectType.Disconnect, Decode<ClientDisconnect>("client-disconnect-disconnect").DisconnectType);
        Assert.Equal(DisconnectType.Shutdown, Decode<ClientDisconnect>("client-disconnect-shutdown").DisconnectType);
        Assert.True(Decode<ClientShutdownResponse>("client-shutdown-response-accepted").Accepted);
        Assert.False(Decode<ClientShutdownResponse>("client-shutdown-response-refused").Accepted);
    }

    [Fact]
    public void Information_DecodesData()
    {
        Assert.Equal(Bytes("{\"action\": \"status\"}"), Decode<InformationRequest>("information-request").Request);
        Assert.Equal(Bytes("{\"ok\": true}"), Decode<InformationResponse>("information-response").Response);
        Assert.Empty(Decode<InformationRequest>("empty-data").Request);
    }

    [Fact]
    public void WorkerManagerMessages_Decode()
    {
        var heartbeat = Decode<WorkerManagerHeartbeat>("worker-manager-heartbeat");
        Assert.Equal(16u, heartbeat.MaxTaskConcurrency);
        Assert.Equal("gpu", heartbeat.Capabilities[0].Name);
        Assert.Equal(Bytes("wm-vector"), heartbeat.WorkerManagerID);

        var command = Decode<WorkerManagerCommand>("worker-manager-command");
        Assert.Equal(2, command.SetDesiredTaskConcurrencyRequests.Count);
        Assert.Equal(3u, command.SetDesiredTaskConcurrencyRequests[0].TaskConcurrency);
        Assert.Equal(-1, command.SetDesiredTaskConcurrencyRequests[0].Capabilities[0].Value);
        Assert.Equal(0u, command.SetDesiredTaskConcurrencyRequests[1].TaskConcurrency);
        Assert.Empty(command.SetDesiredTaskConcurrencyRequests[1].Capabilities);
    }

    [Fact]
    public void EmptyLists_DecodeAsEmpty()
    {
        var task = Decode<TaskMessage>("empty-lists");
        Assert.Empty(task.TaskId);
        Assert.Empty(task.FuncObjectId);
        Assert.Empty(task.FunctionArgs);
        Assert.Empty(task.Capabilities);
    }

    [Fact]
    public void SparseMessages_ReadUnsetFieldsAsDefaults()
    {
        var task = Decode<TaskMessage>("sparse-task");
        Assert.Equal(Bytes("only-the-id"), task.TaskId);
        Assert.Empty(task.Source);
        Assert.Empty(task.FunctionArgs);

        var heartbeat = Decode<WorkerHeartbeat>("sparse-worker-heartbeat");
        Assert.Equal(3u, heartbeat.QueueSize);
        Assert.Equal(0, heartbeat.Agent.Cpu);
        Assert.False(heartbeat.TaskLock);
        Assert.Empty(heartbeat.WorkerManagerID);
        Assert.Empty(heartbeat.Processors);
    }

    [Fact]
    public void UnsetUnion_ReadsAsTagZeroWithDefaults()
    {
        // `()` leaves the tag at 0 (task) with a null pointer, which Cap'n Proto reads as a default Task.
        var task = Decode<TaskMessage>("unset-union");
        Assert.Empty(task.TaskId);
        Assert.Empty(task.FunctionArgs);
    }

    [Fact]
    public void LargeList_DecodesTenThousandElements()
    {
        var result = Decode<TaskResult>("large-list");
        Assert.Equal(10_000, result.Results.Count);
        Assert.Equal(Bytes("item-00000"), result.Results[0]);
        Assert.Equal(Bytes("item-09999"), result.Results[9999]);
    }

    [Fact]
    public void LargeData_DecodesOneMebibyte()
    {
        var response = Decode<InformationResponse>("large-data").Response;
        Assert.Equal(1 << 20, response.Length);
        for (var i = 0; i < response.Length; i += 4099)
        {
            Assert.Equal(unchecked((byte)((7 * i) + 3)), response[i]);
        }

        Assert.Equal(unchecked((byte)((7 * ((1 << 20) - 1)) + 3)), response[^1]);
    }

    [Fact]
    public void ObjectRequestHeaders_DecodeEveryRequestType()
    {
        var names = new[] { "setObject", "getObject", "deleteObject", "duplicateObjectID", "infoGetTotal" };
        for (var i = 0; i < names.Length; i++)
        {
            var header = ObjectStorageCodec.DecodeRequestHeader(RepoPaths.Vector($"object-request-{i}-{names[i]}"));
            Assert.Equal(i, (int)header.RequestType);
            Assert.Equal(names[i], header.RequestType.ToString(), StringComparer.OrdinalIgnoreCase);
            Assert.Equal(1782735204749930075ul, header.ObjectID.Field0);
            Assert.Equal(16574276679447238719ul, header.ObjectID.Field1);
            Assert.Equal(1000ul + (ulong)i, header.ObjectID.Field2);
            Assert.Equal(ulong.MaxValue, header.ObjectID.Field3);
            Assert.Equal((ulong)i * 100, header.PayloadLength);
            Assert.Equal((ulong)i, header.RequestID);
        }

        var max = ObjectStorageCodec.DecodeRequestHeader(RepoPaths.Vector("object-request-max-payload"));
        Assert.Equal(ulong.MaxValue, max.PayloadLength);
        Assert.Equal(ulong.MaxValue, max.RequestID);
        Assert.Equal(ObjectRequestType.GetObject, max.RequestType);
    }

    [Fact]
    public void ObjectResponseHeaders_DecodeEveryResponseType()
    {
        var names = new[] { "setOK", "getOK", "delOK", "delNotExists", "duplicateOK", "infoGetTotalOK" };
        for (var i = 0; i < names.Length; i++)
        {
            var header = ObjectStorageCodec.DecodeResponseHeader(RepoPaths.Vector($"object-response-{i}-{names[i]}"));
            Assert.Equal(i, (int)header.ResponseType);
            Assert.Equal(names[i], header.ResponseType.ToString(), StringComparer.OrdinalIgnoreCase);
            Assert.Equal(3ul, header.ObjectID.Field2);
            Assert.Equal(4ul + (ulong)i, header.ObjectID.Field3);
            Assert.Equal((ulong)i * 7, header.PayloadLength);
            Assert.Equal(50ul + (ulong)i, header.ResponseID);
        }
    }

    [Fact]
    public void TaskTransition_HasTheSchemaOrdinals()
    {
        // No struct carries TaskTransition, so no vector can; check the generated values against the schema text.
        Assert.Equal(0, (int)TaskTransition.HasCapacity);
        Assert.Equal(7, (int)TaskTransition.TaskCancelConfirmNotFound);
        Assert.Equal(11, (int)TaskTransition.SchedulerHasNoTask);
        Assert.Equal(12, Enum.GetValues<TaskTransition>().Length);
    }
}
