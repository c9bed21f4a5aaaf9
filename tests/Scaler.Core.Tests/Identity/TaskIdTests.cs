using Scaler.Identity;

namespace Scaler.Core.Tests.Identity;

public sealed class TaskIdTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    public void Id_KeepsItsBytes_InlineOrOnTheHeap(int length)
    {
        var bytes = Enumerable.Range(1, length).Select(i => (byte)i).ToArray();
        var id = new TaskId(bytes);
        bytes[0] = 0xff; // the id copied its bytes

        Assert.Equal(length, id.Length);
        Assert.Equal(Enumerable.Range(1, length).Select(i => (byte)i).ToArray(), id.Span.ToArray());
    }

    [Fact]
    public void Ids_ThatShareAPrefix_DifferByLength()
    {
        var shorter = new TaskId([1, 2, 3]);
        var longer = new TaskId([1, 2, 3, 0]);

        Assert.NotEqual(shorter, longer);
        Assert.NotEqual(new TaskId(new byte[16]), new TaskId(new byte[17]));
    }

    [Fact]
    public void EmptyId_EqualsDefault()
    {
        Assert.True(new TaskId([]).IsEmpty);
        Assert.Equal(default, new TaskId([]));
        Assert.Equal(default(TaskId).GetHashCode(), new TaskId([]).GetHashCode());
        Assert.True(default(TaskId).Span.IsEmpty);
    }

    [Fact]
    public void SixteenByteId_IsBuiltFromASpan_WithoutAllocating()
    {
        ReadOnlySpan<byte> bytes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
        _ = new TaskId(bytes); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        var id = new TaskId(bytes);
        var after = GC.GetAllocatedBytesForCurrentThread();

        Assert.Equal(0, after - before);
        Assert.Equal(16, id.Length);
    }

    [Fact]
    public void Ids_WorkAsDictionaryKeys_LookedUpFromAnotherBuffer()
    {
        var key = Enumerable.Range(0, 16).Select(i => (byte)(i * 7)).ToArray();
        var map = new Dictionary<TaskId, string> { [new TaskId(key)] = "running" };

        Assert.Equal("running", map[new TaskId(key.ToArray())]);
        key[15] ^= 1;
        Assert.False(map.ContainsKey(new TaskId(key)));
    }

    [Fact]
    public void ToHexString_IsLowercaseHexOfTheBytes()
    {
        var id = new TaskId([0xab, 0x01, 0xff]);

        Assert.Equal("ab01ff", id.ToHexString());
        Assert.Equal("AB01FF", id.ToString());
        Assert.Equal("t1", TaskId.FromString("t1").ToString());
    }
}
