using Scaler.ObjectStorage.Store;

namespace Scaler.ObjectStorage.Tests.Store;

public sealed class ContentTableTests
{
    [Fact]
    public void Acquire_EqualBytes_SharesFirstBuffer()
    {
        var table = new ContentTable();
        byte[] first = [1, 2, 3];
        byte[] second = [1, 2, 3];

        StoredContent a = table.Acquire(first);
        StoredContent b = table.Acquire(second);

        Assert.Same(a, b);
        Assert.Equal(2, a.ReferenceCount);
        Assert.True(a.Bytes.Span == first.AsSpan(), "the first buffer is kept, not a copy");
        Assert.Equal(1, table.Count);
        Assert.Equal(3, table.TotalBytes);
    }

    [Fact]
    public void Acquire_HashCollision_KeepsDifferentContentsApart()
    {
        var table = new ContentTable { HashFunction = static _ => 7 };

        StoredContent a = table.Acquire(new byte[] { 1 });
        StoredContent b = table.Acquire(new byte[] { 2, 2 });
        StoredContent c = table.Acquire(new byte[] { 3, 3, 3 });
        StoredContent aAgain = table.Acquire(new byte[] { 1 });

        Assert.NotSame(a, b);
        Assert.NotSame(b, c);
        Assert.Same(a, aAgain);
        Assert.Equal(3, table.Count);
        Assert.Equal(6, table.TotalBytes);
    }

    [Fact]
    public void Release_MiddleOfCollisionChain_KeepsTheOthers()
    {
        var table = new ContentTable { HashFunction = static _ => 7 };
        StoredContent a = table.Acquire(new byte[] { 1 });
        StoredContent b = table.Acquire(new byte[] { 2, 2 });
        StoredContent c = table.Acquire(new byte[] { 3, 3, 3 });

        table.Release(b);

        Assert.Equal(2, table.Count);
        Assert.Equal(4, table.TotalBytes);
        Assert.Same(a, table.Acquire(new byte[] { 1 }));
        Assert.Same(c, table.Acquire(new byte[] { 3, 3, 3 }));
        Assert.NotSame(b, table.Acquire(new byte[] { 2, 2 }));
    }

    [Fact]
    public void Release_LastReference_RemovesBytesFromTotal()
    {
        var table = new ContentTable();
        StoredContent a = table.Acquire(new byte[10]);
        table.Acquire(new byte[10]);

        table.Release(a);
        Assert.Equal(10, table.TotalBytes);

        table.Release(a);
        Assert.Equal(0, table.TotalBytes);
        Assert.Equal(0, table.Count);
        Assert.Equal(0, a.ReferenceCount);
    }
}
