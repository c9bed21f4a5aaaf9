using Scaler.Hosting.Shutdown;

namespace Scaler.Hosting.Tests.Shutdown;

public sealed class ShutdownSignalTests
{
    [Fact]
    public void Request_CancelsTheToken()
    {
        using var signal = ShutdownSignal.CreateManual();
        Assert.False(signal.Token.IsCancellationRequested);

        signal.Request();

        Assert.True(signal.Token.IsCancellationRequested);
        Assert.True(signal.IsShutdownRequested);
        Assert.Null(signal.ReceivedSignal);
    }

    [Fact]
    public void Request_Twice_IsHarmless()
    {
        using var signal = ShutdownSignal.CreateManual();
        var callbacks = 0;
        using var registration = signal.Token.Register(() => callbacks++);

        signal.Request();
        signal.Request();

        Assert.Equal(1, callbacks);
    }

    [Fact]
    public async Task Request_LetsAWaitingServerLoopEndCleanly()
    {
        using var signal = ShutdownSignal.ListenToProcessSignals();
        var server = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, signal.Token);
                return 1;
            }
            catch (OperationCanceledException)
            {
                return 0;
            }
        });

        signal.Request();

        Assert.Equal(0, await server.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
