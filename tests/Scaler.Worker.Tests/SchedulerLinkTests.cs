using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.Protocol.Messages;
using Scaler.Worker.Agent;

namespace Scaler.Worker.Tests;

public sealed class SchedulerLinkTests
{
    [Fact]
    public async Task ALinkStopsReading_WhenItsMessagesFillTheInbox_AndGoesOn_OnceTheAgentTakesOne()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var scheduler = await YmqBinder.BindAsync(
            ScalerAddress.Parse("tcp://127.0.0.1:0"), new YmqOptions { Identity = "scheduler" }, NullLogger.Instance, cts.Token);
        var inbox = Channel.CreateUnbounded<AgentEvent>();
        await using var link = SchedulerLink.Open(
            1, scheduler.LocalAddress, new YmqOptions { Identity = "Worker|link" }, NullLoggerFactory.Instance, inbox.Writer, NullLogger.Instance);
        var worker = (await scheduler.Events.ReadAsync(cts.Token) as YmqPeerConnected)!.Peer;

        // A scheduler that sends far more than a worker's queue: the inbox takes the link's allowance, no more.
        var echo = MessageCodec.Encode(new WorkerHeartbeatEcho());
        var sent = SchedulerLink.MaxQueuedMessages + 500;
        for (var i = 0; i < sent; i++)
        {
            Assert.True(await scheduler.SendAsync(worker, echo, cts.Token));
        }

        await WaitUntilAsync(() => inbox.Reader.Count >= SchedulerLink.MaxQueuedMessages, cts.Token);
        await Task.Delay(300, cts.Token); // room for a read the allowance should have stopped
        Assert.Equal(SchedulerLink.MaxQueuedMessages, inbox.Reader.Count);

        // The agent takes ten: ten more are read.
        for (var i = 0; i < 10; i++)
        {
            var taken = Assert.IsType<AgentEvent.SchedulerMessage>(await inbox.Reader.ReadAsync(cts.Token));
            Assert.IsType<WorkerHeartbeatEcho>(taken.Message);
            taken.From.Consumed();
        }

        await WaitUntilAsync(() => inbox.Reader.Count == SchedulerLink.MaxQueuedMessages, cts.Token);

        // And once the agent keeps up, every message sent arrives.
        var received = 10;
        while (received < sent)
        {
            var taken = Assert.IsType<AgentEvent.SchedulerMessage>(await inbox.Reader.ReadAsync(cts.Token));
            taken.From.Consumed();
            received++;
        }

        Assert.Equal(0, inbox.Reader.Count);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(10, cancellationToken);
        }
    }
}
