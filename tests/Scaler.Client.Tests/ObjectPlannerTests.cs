using Scaler.Identity;
using Scaler.Internal;
using Xunit;

namespace Scaler.ClientTests;

public sealed class ObjectPlannerTests
{
    private static readonly ObjectOwner Owner = ObjectOwner.FromClientIdentity("planner-test"u8);

    [Fact]
    public void Place_EqualSmallContentInDifferentArrays_ReusesTheIdAndUploadsOnce()
    {
        var planner = new ObjectPlanner(Owner);
        var uploads = new List<PendingUpload>();

        var first = planner.Place(new byte[] { 1, 2, 3 }, Name, uploads);
        var second = planner.Place(new byte[] { 1, 2, 3 }, Name, uploads);
        var other = planner.Place(new byte[] { 1, 2, 4 }, Name, uploads);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.Equal([first, other], uploads.Select(u => u.Id));
        Assert.Equal(2, planner.DistinctObjects);
    }

    [Fact]
    public void Place_EqualLargeContentInDifferentArrays_ReusesTheId()
    {
        var planner = new ObjectPlanner(Owner);
        var uploads = new List<PendingUpload>();
        var content = Enumerable.Range(0, ObjectPlanner.ContentKeyLimit + 1).Select(i => (byte)i).ToArray();

        var first = planner.Place(content, Name, uploads);
        var second = planner.Place(content.ToArray(), Name, uploads);

        Assert.Equal(first, second);
        Assert.Single(uploads);
    }

    [Fact]
    public void Place_ArgumentArrayReusedWithNewContent_GetsANewId()
    {
        // Only function objects are remembered by array: an argument buffer may be reused for other bytes.
        var planner = new ObjectPlanner(Owner);
        var uploads = new List<PendingUpload>();
        var buffer = new byte[ObjectPlanner.ContentKeyLimit * 2];

        var first = planner.Place(buffer, Name, uploads);
        buffer[0] = 42;
        var second = planner.Place(buffer, Name, uploads);

        Assert.NotEqual(first, second);
        Assert.Equal(2, uploads.Count);
    }

    [Fact]
    public void PlaceFunction_SameArrayTwice_UploadsOnceAndAnEqualCopyMatches()
    {
        var planner = new ObjectPlanner(Owner);
        var uploads = new List<PendingUpload>();
        var function = Enumerable.Range(0, 500).Select(i => (byte)(i * 7)).ToArray();

        var first = planner.PlaceFunction(function, Name, uploads);
        var second = planner.PlaceFunction(function, Name, uploads);
        var copy = planner.PlaceFunction(function.ToArray(), Name, uploads);

        Assert.Equal(first, second);
        Assert.Equal(first, copy);
        Assert.Single(uploads);
    }

    [Fact]
    public void Forget_FailedSmallAndLargeUploads_AreUploadedAgainNextTime()
    {
        var planner = new ObjectPlanner(Owner);
        var uploads = new List<PendingUpload>();
        var small = new byte[] { 9 };
        var large = new byte[ObjectPlanner.ContentKeyLimit + 10];
        planner.Place(small, Name, uploads);
        planner.Place(large, Name, uploads);

        planner.Forget(uploads, []);
        var again = new List<PendingUpload>();
        planner.Place(small, Name, again);
        planner.Place(large, Name, again);

        Assert.Equal(2, again.Count);
        Assert.Empty(again.Select(u => u.Id).Intersect(uploads.Select(u => u.Id)));
    }

    [Fact]
    public void TaskIds_New_AreSixteenBytesAndDistinct()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => TaskIds.New()).ToList();

        Assert.All(ids, id => Assert.Equal(16, id.Length));
        Assert.Equal(ids.Count, ids.Select(Convert.ToHexString).Distinct().Count());
    }

    private static byte[] Name(ObjectId id) => System.Text.Encoding.UTF8.GetBytes(id.ToString());
}
