using Scaler.Protocol.Messages;
using Scaler.WorkerManager.Common;

namespace Scaler.WorkerManager.Tests;

public sealed class DesiredConcurrencyTests
{
    private static WorkerManagerCommand.DesiredTaskConcurrencyRequest Request(uint count, params (string Name, long Value)[] capabilities) => new()
    {
        TaskConcurrency = count,
        Capabilities = capabilities.Select(c => new TaskCapability { Name = c.Name, Value = c.Value }).ToArray(),
    };

    [Fact]
    public void ForCapabilities_SumsRequestsWhoseCapabilitiesThisManagerOffers()
    {
        var own = new Dictionary<string, long> { ["linux"] = -1, ["gpu"] = 2 };
        var requests = new[]
        {
            Request(3),
            Request(4, ("linux", -1)),
            Request(5, ("gpu", 2), ("linux", -1)),
            Request(100, ("gpu", 1)),
            Request(100, ("windows", -1)),
        };

        Assert.Equal(12, DesiredConcurrency.ForCapabilities(requests, own));
        Assert.Equal(0, DesiredConcurrency.ForCapabilities([Request(7, ("fpga", -1))], own));
    }

    [Theory]
    [InlineData(5, 2, -1, 3)]
    [InlineData(5, 2, 4, 2)]
    [InlineData(5, 4, 4, 0)]
    [InlineData(1, 3, 4, -2)]
    [InlineData(0, 3, -1, -3)]
    public void Delta_StartsOrStops_GrowthCappedByTheMaximum(long desired, int current, int max, long expected) =>
        Assert.Equal(expected, DesiredConcurrency.Delta(desired, current, max));
}
