using Scaler.IO.Ymq;
using Scaler.IO.Ymq.Internal;

namespace Scaler.IO.Tests.Ymq;

public sealed class ConnectBackoffTests
{
    [Fact]
    public void Delay_WithReferenceDefaults_DoublesFrom200MsTo25600Ms()
    {
        var options = new YmqOptions();
        var delays = Enumerable.Range(1, 8)
            .Select(retry => ConnectBackoff.DelayBeforeRetry(retry, options.ConnectRetryInitialDelay, options.ConnectRetryMaxDelay).TotalMilliseconds)
            .ToArray();

        Assert.Equal(new double[] { 200, 400, 800, 1600, 3200, 6400, 12800, 25600 }, delays);
    }

    [Fact]
    public void Delay_IsCappedAtTheMaximum()
    {
        var delay = ConnectBackoff.DelayBeforeRetry(500, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30));

        Assert.Equal(TimeSpan.FromSeconds(30), delay);
    }
}
