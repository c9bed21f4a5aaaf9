using Scaler.Protocol;
using Scaler.Protocol.Messages;
using static Scaler.Scheduler.Tests.Runtime.SchedulerHarness;

namespace Scaler.Scheduler.Tests.Runtime;

public sealed class SchedulerTaskFlowTests
{
    [Fact]
    public async Task ClientHeartbeatEcho_CarriesTheEmbeddedObjectStorageAddress()
    {
        await using var harness = await StartAsync();
        var client = await harness.ConnectAsync("Client|echo");

        await client.Send(new ClientHeartbeat { Resource = new Resource() });
        var echo = await client.Expect<ClientHeartbeatEcho>();

        Assert.Equal("127.0.0.1", echo.ObjectStorageAddress.Host);
        Assert.Equal(harness.Server.Address.Port + 1, echo.ObjectStorageAddress.Port);
        Assert.Equal("tcp", echo.ObjectStorageAddress.Scheme);
    }

    [Fact]
    public async Task WorkerHeartbeatEcho_CarriesTheAdvertisedAddress_WhenOneIsGiven()
    {
        await using var harness = await StartAsync(options => options with
        {
            AdvertisedObjectStorageAddress = IO.Addressing.ScalerAddress.Parse("tcp://10.1.2.3:4567"),
        });
        var worker = await harness.ConnectAsync("Worker|adv");

        await worker.Send(new WorkerHeartbeat { Agent = new Resource(), QueueSize = 1 });
        var echo = await worker.Expect<WorkerHeartbeatEcho>();

        Assert.Equal("10.1.2.3", echo.ObjectStorageAddress.Host);
        Assert.Equal(4567, echo.ObjectStorageAddress.Port);
    }

    [Fact]
    public async Task Task_IsDispatchedToAWorker_AndItsResultGoesBackToTheClient()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var worker = await harness.WorkerAsync("w1");
        var task = NewTask(client, "t1");

        await client.Send(task);
        var received = await worker.Expect<TaskMessage>();
        Assert.Equal(task.TaskId, received.TaskId);
        Assert.Equal(task.Source, received.Source);

        var result = new TaskResult
        {
            TaskId = task.TaskId,
            ResultType = TaskResultType.Success,
            Metadata = "m"u8.ToArray(),
            Results = [Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()],
        };
        await worker.Send(result);
        var delivered = await client.Expect<TaskResult>();

        Assert.Equal(task.TaskId, delivered.TaskId);
        Assert.Equal(TaskResultType.Success, delivered.ResultType);
        Assert.Equal(result.Metadata, delivered.Metadata);
        Assert.Equal(result.Results[0], Assert.Single(delivered.Results));
        await ExpectNothingMore(client);
    }

    [Fact]
    public async Task Task_IsForwardedToItsWorkerAsTheBytesTheClientSent()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var worker = await harness.WorkerAsync("w1");

        // A valid encoding that differs from ours: one unused zero word at the end of the single segment. Re-encoding
        // the decoded message would drop it; forwarding the frame keeps it.
        var canonical = MessageCodec.Encode(NewTask(client, "raw"));
        Assert.Equal(0u, BitConverter.ToUInt32(canonical, 0)); // one segment
        var frame = new byte[canonical.Length + 8];
        canonical.CopyTo(frame, 0);
        BitConverter.GetBytes(BitConverter.ToUInt32(canonical, 4) + 1).CopyTo(frame, 4);

        await client.SendRaw(frame);

        Assert.Equal(frame, await worker.ReceiveRaw());
    }

    [Fact]
    public async Task TaskLog_IsForwardedToTheOwningClient()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var worker = await harness.WorkerAsync("w1");
        var task = NewTask(client, "t1");
        await client.Send(task);
        await worker.Expect<TaskMessage>();

        await worker.Send(new TaskLog { TaskId = task.TaskId, LogType = LogType.Stdout, Content = "hello" });
        var log = await client.Expect<TaskLog>();

        Assert.Equal("hello", log.Content);
        Assert.Equal(task.TaskId, log.TaskId);
    }

    [Fact]
    public async Task CancelOfAQueuedTask_IsConfirmedAtOnce()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var task = NewTask(client, "queued");
        await client.Send(task);

        await client.Send(new TaskCancel { TaskId = task.TaskId, Flags = new TaskCancel.TaskCancelFlags() });
        var confirm = await client.Expect<TaskCancelConfirm>();

        Assert.Equal(task.TaskId, confirm.TaskId);
        Assert.Equal(TaskCancelConfirmType.Canceled, confirm.CancelConfirmType);

        // The canceled task is never sent to a worker that joins later.
        var worker = await harness.WorkerAsync("late");
        await Heartbeat(worker);
    }

    [Fact]
    public async Task CancelOfARunningTask_IsForwardedToItsWorker_AndTheWorkersAnswerIsConfirmed()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var worker = await harness.WorkerAsync("w1");
        var task = NewTask(client, "running");
        await client.Send(task);
        await worker.Expect<TaskMessage>();

        await client.Send(new TaskCancel { TaskId = task.TaskId, Flags = new TaskCancel.TaskCancelFlags { Force = true } });
        var forwarded = await worker.Expect<TaskCancel>();
        Assert.Equal(task.TaskId, forwarded.TaskId);
        Assert.True(forwarded.Flags.Force);

        await worker.Send(new TaskCancelConfirm { TaskId = task.TaskId, CancelConfirmType = TaskCancelConfirmType.Canceled });
        var confirm = await client.Expect<TaskCancelConfirm>();
        Assert.Equal(TaskCancelConfirmType.Canceled, confirm.CancelConfirmType);
    }

    [Fact]
    public async Task CancelOfAnUnknownTask_IsAnsweredNotFound()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();

        await client.Send(new TaskCancel { TaskId = "nope"u8.ToArray(), Flags = new TaskCancel.TaskCancelFlags() });

        Assert.Equal(TaskCancelConfirmType.CancelNotFound, (await client.Expect<TaskCancelConfirm>()).CancelConfirmType);
    }

    [Fact]
    public async Task Dispatch_RespectsEachWorkersQueueSize()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var worker = await harness.WorkerAsync("w1", queueSize: 2);
        var tasks = Enumerable.Range(0, 3).Select(i => NewTask(client, "t" + i)).ToArray();
        foreach (var task in tasks)
        {
            await client.Send(task);
        }

        Assert.Equal(tasks[0].TaskId, (await worker.Expect<TaskMessage>()).TaskId);
        Assert.Equal(tasks[1].TaskId, (await worker.Expect<TaskMessage>()).TaskId);

        // The third waits for a free slot: the worker's next message is its heartbeat echo, then the task after a result.
        await Heartbeat(worker, 2);
        await worker.Send(Result(tasks[0]));
        Assert.Equal(tasks[2].TaskId, (await worker.Expect<TaskMessage>()).TaskId);
    }
}
