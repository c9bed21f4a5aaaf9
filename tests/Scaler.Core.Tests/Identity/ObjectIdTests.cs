using Scaler.Identity;

namespace Scaler.Core.Tests.Identity;

public sealed class ObjectIdTests
{
    // An object ID from the golden capture: the listing decodes it as field0 = 1782735204749930075,
    // field1 = 16574276679447238719, and names it owner_hash=18bd8c39..., object_tag=6a704463....
    private const string GoldenHex = "18bd8c392fb3ee5be603a8d35f7e583f6a70446391a14c6ea7b401a3f39d6077";

    [Fact]
    public void FromBytes_GoldenId_ReadsBigEndianFields()
    {
        ObjectId id = ObjectId.FromBytes(Convert.FromHexString(GoldenHex));

        Assert.Equal(1782735204749930075UL, id.Field0);
        Assert.Equal(16574276679447238719UL, id.Field1);
        Assert.Equal(0x6a70446391a14c6eUL, id.Field2);
        Assert.Equal(0xa7b401a3f39d6077UL, id.Field3);
    }

    [Fact]
    public void ToString_IsLowercaseHexInWireOrder()
    {
        ObjectId id = ObjectId.FromBytes(Convert.FromHexString(GoldenHex));

        Assert.Equal(GoldenHex, id.ToString());
    }

    [Fact]
    public void ToBytes_RoundTripsThroughFromBytes()
    {
        var id = new ObjectId(1, ulong.MaxValue, 0x0102030405060708, 42);

        byte[] bytes = id.ToBytes();

        Assert.Equal(32, bytes.Length);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, bytes[16..24]);
        Assert.Equal(id, ObjectId.FromBytes(bytes));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void FromBytes_WrongLength_Throws(int length)
    {
        Assert.Throws<ArgumentException>(() => ObjectId.FromBytes(new byte[length]));
    }

    [Fact]
    public void WriteTo_ShortDestination_Throws()
    {
        Assert.Throws<ArgumentException>(() => new ObjectId(1, 2, 3, 4).WriteTo(new byte[31]));
    }

    [Fact]
    public void FromClientIdentity_MatchesOwnerPrefixOfGoldenCapture()
    {
        // The golden client "Client|e5bec3..." owns every object in the capture, all prefixed 18bd8c39...583f.
        ObjectOwner owner = ObjectOwner.FromClientIdentity("Client|e5bec3d036fd47c79a19be9029a8aa79"u8);
        ObjectId golden = ObjectId.FromBytes(Convert.FromHexString(GoldenHex));

        Assert.Equal("18bd8c392fb3ee5be603a8d35f7e583f", owner.ToString());
        Assert.Equal(owner, golden.Owner);
        Assert.True(golden.IsOwnedBy(owner));
        Assert.False(golden.IsOwnedBy(ObjectOwner.FromClientIdentity("Client|other"u8)));
    }

    [Fact]
    public void ForSerializer_UsesTheSerializerTagSeenInTheGoldenCapture()
    {
        ObjectOwner owner = ObjectOwner.FromClientIdentity("Client|e5bec3d036fd47c79a19be9029a8aa79"u8);

        ObjectId serializer = ObjectId.ForSerializer(owner);

        Assert.Equal("18bd8c392fb3ee5be603a8d35f7e583f" + "84f6fb7cd5cd53b5679489a29396448f", serializer.ToString());
    }

    [Fact]
    public void NewUnique_KeepsOwnerAndDiffersInTag()
    {
        var owner = new ObjectOwner(7, 9);

        ObjectId first = ObjectId.NewUnique(owner);
        ObjectId second = ObjectId.NewUnique(owner);

        Assert.True(first.IsOwnedBy(owner));
        Assert.True(second.IsOwnedBy(owner));
        Assert.NotEqual(first.Tag, second.Tag);
    }

    [Fact]
    public void NewUnique_FromManyThreads_NeverRepeatsATag()
    {
        var owner = new ObjectOwner(7, 9);
        var tags = new System.Collections.Concurrent.ConcurrentBag<UInt128>();

        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                tags.Add(ObjectId.NewUnique(owner).Tag);
            }
        });

        Assert.Equal(80_000, tags.Distinct().Count());
    }

    [Fact]
    public void NewUniqueTag_CannotBePredictedFromTheTagsBefore()
    {
        // A per-process prefix and a counter (the scheme before) share one high half and step by one: whoever saw a
        // task ID could compute the next ones and the result object IDs derived from them. Random tags share neither,
        // across a buffer refill (256 tags per thread) as well.
        var tags = Enumerable.Range(0, 1_000).Select(_ => ObjectId.NewUniqueTag()).ToArray();

        Assert.Equal(tags.Length, tags.Select(tag => (ulong)(tag >> 64)).Distinct().Count());
        Assert.DoesNotContain(tags.Zip(tags.Skip(1)), pair => pair.Second - pair.First < 1_000_000);
        var bitsSet = tags.Sum(tag => (double)UInt128.PopCount(tag)) / tags.Length;
        Assert.InRange(bitsSet, 60, 68);
    }

    [Fact]
    public void FromClientIdentity_AlternatingIdentitiesOnOneThread_GiveEachItsOwnPrefix()
    {
        // The owner of the last identity is remembered per thread; asking for another must not return it.
        var golden = ObjectOwner.FromClientIdentity("Client|e5bec3d036fd47c79a19be9029a8aa79"u8);
        var other = ObjectOwner.FromClientIdentity("Client|other"u8);
        var goldenAgain = ObjectOwner.FromClientIdentity("Client|e5bec3d036fd47c79a19be9029a8aa79"u8);
        var prefixOfGolden = ObjectOwner.FromClientIdentity("Client|e5bec3d036fd47c79a19be9029a8aa7"u8);

        Assert.Equal("18bd8c392fb3ee5be603a8d35f7e583f", golden.ToString());
        Assert.Equal(golden, goldenAgain);
        Assert.NotEqual(golden, other);
        Assert.NotEqual(golden, prefixOfGolden);
    }

    [Fact]
    public void Create_SplitsTagIntoLastTwoFields()
    {
        ObjectId id = ObjectId.Create(new ObjectOwner(1, 2), new UInt128(3, 4));

        Assert.Equal(new ObjectId(1, 2, 3, 4), id);
        Assert.Equal(new UInt128(3, 4), id.Tag);
    }

    [Fact]
    public void ForTaskResult_SixteenByteTaskId_IsTheSameForTheSameTaskAndOwner()
    {
        var owner = ObjectOwner.FromClientIdentity("Client|result"u8);
        var task = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var other = task.ToArray();
        other[15] ^= 1;

        var id = ObjectId.ForTaskResult(owner, task);

        Assert.Equal(id, ObjectId.ForTaskResult(owner, task.ToArray()));
        Assert.Equal(owner, id.Owner);
        Assert.NotEqual(id, ObjectId.ForTaskResult(owner, other));
        Assert.NotEqual(id, ObjectId.ForTaskResult(ObjectOwner.FromClientIdentity("Client|other"u8), task));

        // The tag is not the task ID itself.
        Assert.NotEqual(new UInt128(
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(task),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(task.AsSpan(8))), id.Tag);
    }

    [Fact]
    public void ForTaskOutcome_SuccessAndFailure_AreTheResultAndTheErrorIdsWhichDiffer()
    {
        var owner = ObjectOwner.FromClientIdentity("Client|result"u8);
        var task = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();

        Assert.Equal(ObjectId.ForTaskResult(owner, task), ObjectId.ForTaskOutcome(owner, task, succeeded: true));
        Assert.Equal(ObjectId.ForTaskError(owner, task), ObjectId.ForTaskOutcome(owner, task, succeeded: false));
        Assert.NotEqual(ObjectId.ForTaskResult(owner, task), ObjectId.ForTaskError(owner, task));
        Assert.Equal(owner, ObjectId.ForTaskError(owner, task).Owner);
    }

    [Fact]
    public void ForTaskResult_OtherTaskIdLength_IsUniqueEachTime()
    {
        var owner = ObjectOwner.FromClientIdentity("Client|result"u8);
        var task = new byte[12];

        Assert.NotEqual(ObjectId.ForTaskResult(owner, task), ObjectId.ForTaskResult(owner, task));
    }
}
