namespace Scaler.ClientTests.Support;

/// <summary>A fake scheduler, a connected client and a 30 s budget for one test; disposes everything.</summary>
internal sealed class ClientFixture : IAsyncDisposable
{
    private ClientFixture(FakeScheduler scheduler, Client client, CancellationTokenSource timeout)
    {
        Scheduler = scheduler;
        Client = client;
        Timeout = timeout;
    }

    public FakeScheduler Scheduler { get; }

    public Client Client { get; }

    public CancellationTokenSource Timeout { get; }

    public CancellationToken Token => Timeout.Token;

    public static ClientOptions FastOptions() => new() { ConnectTimeout = TimeSpan.FromSeconds(10) };

    public static async Task<ClientFixture> StartAsync(ClientOptions? options = null)
    {
        var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var scheduler = await FakeScheduler.StartAsync(timeout.Token);
        var client = await Client.ConnectAsync(scheduler.Address, options ?? FastOptions(), timeout.Token);
        return new ClientFixture(scheduler, client, timeout);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Scheduler.DisposeAsync();
        Timeout.Dispose();
    }
}
