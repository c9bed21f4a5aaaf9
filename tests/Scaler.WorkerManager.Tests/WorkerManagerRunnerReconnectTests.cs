using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.Protocol.Messages;
using Scaler.Worker.Tests.Support;
using Scaler.WorkerManager.Common;

namespace Scaler.WorkerManager.Tests;

/// <summary>The common manager runtime against a scheduler that dies: it keeps its units and reconnects, within a bound.</summary>
public sealed class WorkerManagerRunnerReconnectTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SchedulerRestartedOnTheSamePort_TheManagerKeepsItsWorkersAndHeartbeatsTheNewOne()
    {
        using var cts = new CancellationTokenSource(Bound);
        using var shutdown = new CancellationTokenSource();
        var scheduler = await FakeScheduler.StartAsync();
        var provisioner = new RecordingProvisioner();
        var runner = new WorkerManagerRunner(Options(scheduler.Address, TimeSpan.FromSeconds(30)), provisioner, NullLoggerFactory.Instance);
        var run = runner.RunAsync(shutdown.Token);
        try
        {
            await scheduler.ExpectAsync<WorkerManagerHeartbeat>(cts.Token);
            var address = scheduler.Address;
            await scheduler.DisposeAsync();
            scheduler = await FakeScheduler.StartAsync(address: address);

            var (peer, heartbeat) = await scheduler.ExpectAsync<WorkerManagerHeartbeat>(cts.Token);
            Assert.Equal(runner.Identity, peer.ToString());
            Assert.Equal("wm-reconnect", System.Text.Encoding.UTF8.GetString(heartbeat.WorkerManagerID));
            Assert.Equal(0, provisioner.Terminations);
            Assert.False(run.IsCompleted);

            // It follows the new scheduler's commands.
            await scheduler.SendAsync(peer, new WorkerManagerCommand
            {
                SetDesiredTaskConcurrencyRequests = [new WorkerManagerCommand.DesiredTaskConcurrencyRequest { TaskConcurrency = 3, Capabilities = [] }],
            });
            Assert.Equal(3u, (await provisioner.Commands.Reader.ReadAsync(cts.Token))[0].TaskConcurrency);

            await shutdown.CancelAsync();
            Assert.Equal(0, await run.WaitAsync(cts.Token));
            Assert.Equal(1, provisioner.Terminations);
        }
        finally
        {
            await shutdown.CancelAsync();
            await scheduler.DisposeAsync();
        }
    }

    [Fact]
    public async Task SchedulerLostForLongerThanTheLossTimeout_StopsTheWorkersAndExitsWithFailure()
    {
        using var cts = new CancellationTokenSource(Bound);
        var scheduler = await FakeScheduler.StartAsync();
        var provisioner = new RecordingProvisioner();
        var runner = new WorkerManagerRunner(Options(scheduler.Address, TimeSpan.FromSeconds(2)), provisioner, NullLoggerFactory.Instance);
        var run = runner.RunAsync(CancellationToken.None);
        await scheduler.ExpectAsync<WorkerManagerHeartbeat>(cts.Token);
        var lost = System.Diagnostics.Stopwatch.StartNew();
        await scheduler.DisposeAsync();

        Assert.Equal(1, await run.WaitAsync(cts.Token));
        Assert.True(lost.Elapsed >= TimeSpan.FromSeconds(1.5), $"gave up after {lost.Elapsed}");
        Assert.Equal(1, provisioner.Terminations);
    }

    private static WorkerManagerRunnerOptions Options(ScalerAddress scheduler, TimeSpan lossTimeout) => new()
    {
        SchedulerAddress = scheduler,
        Name = "worker_manager_test",
        WorkerManagerId = "wm-reconnect",
        MaxTaskConcurrency = 4,
        HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        SchedulerLossTimeout = lossTimeout,
    };

    private sealed class RecordingProvisioner : IWorkerProvisioner
    {
        private int _terminations;

        public System.Threading.Channels.Channel<IReadOnlyList<WorkerManagerCommand.DesiredTaskConcurrencyRequest>> Commands { get; } =
            System.Threading.Channels.Channel.CreateUnbounded<IReadOnlyList<WorkerManagerCommand.DesiredTaskConcurrencyRequest>>();

        public int Terminations => Volatile.Read(ref _terminations);

        public Task SetDesiredTaskConcurrencyAsync(
            IReadOnlyList<WorkerManagerCommand.DesiredTaskConcurrencyRequest> requests, CancellationToken cancellationToken)
        {
            Commands.Writer.TryWrite(requests);
            return Task.CompletedTask;
        }

        public Task TerminateAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _terminations);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
