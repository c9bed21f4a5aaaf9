using Scaler.Identity;

namespace Scaler.Core.Tests.Identity;

public sealed class IdentityTests
{
    [Fact]
    public void Ids_WithSameBytesFromDifferentBuffers_AreEqualAndHashEqual()
    {
        var buffer = new byte[] { 1, 2, 3 };
        var a = new TaskId(buffer);
        buffer[0] = 9; // the id copied its bytes: changing the caller's buffer must not change it
        var b = new TaskId(new byte[] { 1, 2, 3 });

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new TaskId(buffer));
    }

    [Fact]
    public void Ids_WorkAsDictionaryKeys()
    {
        var map = new Dictionary<WorkerId, int> { [WorkerId.FromString("w1")] = 1, [WorkerId.FromString("w2")] = 2 };

        Assert.Equal(2, map[WorkerId.FromString("w2")]);
        Assert.False(map.ContainsKey(WorkerId.FromString("w3")));
    }

    [Fact]
    public void DefaultId_IsEmpty_AndEqualsAnEmptyId()
    {
        Assert.True(default(WorkerId).IsEmpty);
        Assert.True(new WorkerId(ReadOnlySpan<byte>.Empty).IsEmpty);
        Assert.False(WorkerId.FromString("w").IsEmpty);
        Assert.Equal(default, new ClientId(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void ToString_ShowsPrintableIdsAsText_AndOthersAsHex()
    {
        Assert.Equal("task-1", TaskId.FromString("task-1").ToString());
        Assert.Equal("00FF", new TaskId(new byte[] { 0, 255 }).ToString());
    }
}
