using System.Net;
using Microsoft.Extensions.Time.Testing;
using Scaler.IO.Ymq.Internal;

namespace Scaler.IO.Tests.Ymq;

public sealed class PartialFrameBudgetTests
{
    private static readonly LargeFrameMemoryReturn NoReturn = new(new FakeTimeProvider(), () => 0);

    private static readonly IPEndPoint HostA1 = new(IPAddress.Parse("10.0.0.1"), 1000);
    private static readonly IPEndPoint HostA2 = new(IPAddress.Parse("10.0.0.1"), 1001);
    private static readonly IPEndPoint HostB = new(IPAddress.Parse("10.0.0.2"), 1000);

    [Fact]
    public void ConnectionsFromOneAddress_ShareItsLimit_AndARefusalNamesThatOption()
    {
        var budget = new PartialFrameBudget(limit: 1000, perPeerLimit: 600, NoReturn);
        var a1 = budget.Join(HostA1);
        var a2 = budget.Join(HostA2);
        Assert.Same(a1, a2);

        Assert.Null(a1.TryCharge(400, 5000));
        var refusal = a2.TryCharge(300, 5000);

        Assert.NotNull(refusal);
        Assert.Contains("MaxPartialFrameBytesPerPeer", refusal, StringComparison.Ordinal);
        Assert.Contains("10.0.0.1", refusal, StringComparison.Ordinal);
        Assert.Equal(400, a1.Held);
        Assert.Equal(400, budget.Held);
    }

    [Fact]
    public void AllAddressesTogether_AreBoundedByTheBinderLimit_AndReleasedBytesCanBeTakenAgain()
    {
        var budget = new PartialFrameBudget(limit: 1000, perPeerLimit: 600, NoReturn);
        var a = budget.Join(HostA1);
        var b = budget.Join(HostB);
        Assert.Null(a.TryCharge(600, 600));

        var refusal = b.TryCharge(500, 500);
        Assert.NotNull(refusal);
        Assert.Contains("(YmqOptions.MaxPartialFrameBytes)", refusal, StringComparison.Ordinal);
        Assert.Equal(0, b.Held);
        Assert.Equal(600, budget.Held);

        a.Release(600);
        Assert.Null(b.TryCharge(500, 500));
        Assert.Equal(500, budget.Held);
    }

    [Fact]
    public void AddressLeftByItsLastConnection_StartsAfreshWhenItComesBack()
    {
        var budget = new PartialFrameBudget(limit: 1000, perPeerLimit: 600, NoReturn);
        var first = budget.Join(HostA1);
        var second = budget.Join(HostA2);
        first.Leave();
        Assert.Same(second, budget.Join(HostA1));
        second.Leave();
        second.Leave();

        Assert.NotSame(first, budget.Join(HostA1));
    }
}
