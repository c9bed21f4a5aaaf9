using System.Text;
using Scaler.Protocol.Messages;

namespace Scaler.Benchmarks.Suite;

/// <summary>
/// A lightweight worker speaking the protocol: heartbeats every second and answers each Task at once with a
/// successful TaskResult carrying no result object. Many of them run in the benchmark process.
/// </summary>
internal sealed class FakeWorker : IAsyncDisposable
{
    private readonly ProtocolPeer _peer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receive;
    private readonly Task _heartbeat;
    private long _answered;

    private FakeWorker(ProtocolPeer peer)
    {
        _peer = peer;
        _receive = Task.Run(ReceiveLoopAsync);
        _heartbeat = Task.Run(HeartbeatLoopAsync);
    }

    public long Answered => Interlocked.Read(ref _answered);

    public static async Task<FakeWorker> StartAsync(string scheduler, int index, CancellationToken ct)
    {
        var peer = await ProtocolPeer.ConnectAsync(scheduler, $"Worker|fake-{index}|{Guid.NewGuid():N}", ct);
        return new FakeWorker(peer);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _peer.DisposeAsync();
        try
        {
            await Task.WhenAll(_receive, _heartbeat);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException or ObjectDisposedException)
        {
            // Stopping.
        }

        _stop.Dispose();
    }

    private async Task HeartbeatLoopAsync()
    {
        var managerId = Encoding.UTF8.GetBytes("fake-workers");
        while (!_stop.IsCancellationRequested)
        {
            await _peer.SendAsync(
                new WorkerHeartbeat
                {
                    Agent = new Resource(),
                    RssFree = 1UL << 33,
                    MemLimit = 1UL << 34,
                    QueueSize = 1000,
                    WorkerManagerID = managerId,
                },
                _stop.Token);
            await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            if (await _peer.ReceiveAsync(_stop.Token) is TaskMessage task)
            {
                await _peer.SendAsync(new TaskResult { TaskId = task.TaskId, ResultType = TaskResultType.Success, Metadata = [] }, _stop.Token);
                Interlocked.Increment(ref _answered);
            }
        }
    }
}
