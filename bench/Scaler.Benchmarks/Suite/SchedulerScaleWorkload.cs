using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Scaler.Protocol.Messages;

namespace Scaler.Benchmarks.Suite;

/// <summary>
/// W6: a raw protocol client queues <c>tasks</c> tasks in a scheduler process with no worker (submit rate, peak
/// RSS per queued task from /proc/PID/status VmHWM), then <c>workers</c> fake workers drain them (tasks/s).
/// </summary>
internal static class SchedulerScaleWorkload
{
    public sealed record Result(double SubmitPerSecond, double ClientSendSeconds, double BytesPerQueuedTask, long PeakRssBytes, double DrainPerSecond);

    public static async Task<Result> RunAsync(string cli, int tasks, int workers, CancellationToken ct)
    {
        await using var cluster = LocalCluster.Start(cli, workers: 0);
        var identity = $"Client|{Guid.NewGuid():N}";
        await using var client = await ConnectWithRetryAsync(cluster, identity, ct);
        var echoes = Channel.CreateUnbounded<bool>();
        long results = 0;
        var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var receive = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                switch (await client.ReceiveAsync(stop.Token))
                {
                    case ClientHeartbeatEcho:
                        echoes.Writer.TryWrite(true);
                        break;
                    case TaskResult when Interlocked.Increment(ref results) == tasks:
                        allDone.TrySetResult();
                        break;
                }
            }
        }, CancellationToken.None);

        await BarrierAsync(client, echoes.Reader, ct);
        var baseline = cluster.Scheduler.ReadStatusBytes("VmRSS");

        var source = Encoding.UTF8.GetBytes(identity);
        var metadata = new byte[6];
        var function = new byte[32];
        function[0] = 1;
        var nextHeartbeat = TimeSpan.FromSeconds(1);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < tasks; i++)
        {
            var taskId = new byte[16];
            BinaryPrimitives.WriteInt64LittleEndian(taskId, i);
            BinaryPrimitives.WriteInt32LittleEndian(taskId.AsSpan(8), Environment.ProcessId);
            await client.SendAsync(
                new TaskMessage { TaskId = taskId, Source = source, Metadata = metadata, FuncObjectId = function, FunctionArgs = [], Capabilities = [] },
                ct);
            if ((i & 1023) == 0 && clock.Elapsed > nextHeartbeat)
            {
                await client.SendAsync(new ClientHeartbeat { Resource = new Resource() }, ct); // keeps the client alive; its echo is drained below
                nextHeartbeat = clock.Elapsed + TimeSpan.FromSeconds(1);
                while (echoes.Reader.TryRead(out _))
                {
                }
            }
        }

        while (echoes.Reader.TryRead(out _))
        {
        }

        var sendSeconds = clock.Elapsed.TotalSeconds; // what the client alone took to encode and send
        await BarrierAsync(client, echoes.Reader, ct); // the scheduler has taken every task once this echo arrives
        var submitSeconds = clock.Elapsed.TotalSeconds;
        cluster.ThrowIfAnyExited();
        var peak = cluster.Scheduler.ReadStatusBytes("VmHWM");

        var fakes = new List<FakeWorker>();
        double drainSeconds;
        clock.Restart();
        try
        {
            for (var i = 0; i < workers; i++)
            {
                fakes.Add(await FakeWorker.StartAsync(cluster.SchedulerAddress, i, ct));
            }

            using var heartbeats = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (!allDone.Task.IsCompleted)
            {
                var tick = heartbeats.WaitForNextTickAsync(ct).AsTask();
                if (await Task.WhenAny(tick, allDone.Task) == tick)
                {
                    await client.SendAsync(new ClientHeartbeat { Resource = new Resource() }, ct);
                    cluster.ThrowIfAnyExited();
                }
            }

            drainSeconds = clock.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var fake in fakes)
            {
                await fake.DisposeAsync();
            }
        }

        var drain = tasks / drainSeconds;
        await stop.CancelAsync();
        try
        {
            await receive;
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException)
        {
        }

        return new Result(tasks / submitSeconds, sendSeconds, (peak - baseline) / (double)tasks, peak, drain);
    }

    private static async Task<ProtocolPeer> ConnectWithRetryAsync(LocalCluster cluster, string identity, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await ProtocolPeer.ConnectAsync(cluster.SchedulerAddress, identity, ct);
            }
            catch (Exception) when (attempt < 50)
            {
                cluster.ThrowIfAnyExited();
                await Task.Delay(200, ct);
            }
        }
    }

    private static async Task BarrierAsync(ProtocolPeer client, ChannelReader<bool> echoes, CancellationToken ct)
    {
        await client.SendAsync(new ClientHeartbeat { Resource = new Resource() }, ct);
        await echoes.ReadAsync(ct);
    }
}
