using Scaler.Identity;
using Scaler.ObjectStorage.Tests.Support;
using Scaler.ObjectStorage.Wire;
using Scaler.Protocol;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Tests.Wire;

public sealed class ObjectStorageWireTests
{
    [Fact]
    public void DecodeRequest_GoldenSetHeader_ReadsAllFields()
    {
        byte[] frame = GoldenStream.Load("client-to-object-storage.bin").Frames[0];

        ObjectRequest request = ObjectStorageWire.DecodeRequest(frame);

        // Values from the capnp tool's decoding in shared/golden/listing.txt.
        Assert.Equal(
            new ObjectRequest(
                new ObjectId(1782735204749930075, 16574276679447238719, 9581121770858828725, 7463741813813560463),
                72,
                0,
                ObjectRequestType.SetObject),
            request);
    }

    [Fact]
    public void EncodeResponse_MatchesGoldenBytes()
    {
        byte[] golden = GoldenStream.Load("object-storage-to-client.bin").Frames[0];
        var response = new ObjectResponse(
            new ObjectId(1782735204749930075, 16574276679447238719, 9581121770858828725, 7463741813813560463),
            0,
            0,
            ObjectResponseType.SetOK);

        Assert.Equal(golden, ObjectStorageWire.EncodeResponse(response));
    }

    [Fact]
    public void EncodeRequest_MatchesGoldenBytes()
    {
        byte[] golden = GoldenStream.Load("client-to-object-storage.bin").Frames[0];

        Assert.Equal(golden, ObjectStorageWire.EncodeRequest(ObjectStorageWire.DecodeRequest(golden)));
    }

    [Fact]
    public void DecodeResponse_RoundTripsEveryType()
    {
        foreach (ObjectResponseType type in Enum.GetValues<ObjectResponseType>())
        {
            var response = new ObjectResponse(new ObjectId(1, 2, 3, 4), 99, 7, type);
            Assert.Equal(response, ObjectStorageWire.DecodeResponse(ObjectStorageWire.EncodeResponse(response)));
        }
    }

    [Fact]
    public void AcceptsRefusal_StaysInTheReferencesEightyBytes_AndOnlyItsBitDiffers()
    {
        byte[] golden = GoldenStream.Load("client-to-object-storage.bin").Frames[0];
        ObjectRequest reference = ObjectStorageWire.DecodeRequest(golden);

        byte[] flagged = ObjectStorageWire.EncodeRequest(reference with { AcceptsRefusal = true });

        // A reference server reads the same header: same length, same bytes but bit 144 of the data section (the
        // data section starts after the 8-byte segment table and the 8-byte root pointer).
        Assert.Equal(80, flagged.Length);
        Assert.Equal(golden.Length, flagged.Length);
        int differing = Assert.Single(Enumerable.Range(0, golden.Length), i => golden[i] != flagged[i]);
        Assert.Equal(16 + (144 / 8), differing);
        Assert.Equal(1, golden[differing] ^ flagged[differing]);
        Assert.Equal(reference with { AcceptsRefusal = true }, ObjectStorageWire.DecodeRequest(flagged));
        Assert.False(reference.AcceptsRefusal);
    }

    [Fact]
    public void MaxObjectBytes_RoundTripsInTheEightyByteResponseHeader()
    {
        var response = new ObjectResponse(new ObjectId(1, 2, 3, 4), 0, 7, ObjectResponseType.SetOK, uint.MaxValue - 1);

        byte[] frame = ObjectStorageWire.EncodeResponse(response);

        Assert.Equal(80, frame.Length);
        Assert.Equal(response, ObjectStorageWire.DecodeResponse(frame));
    }

    [Fact]
    public void EncodeObjectIdMessage_MatchesOfficialEncoder()
    {
        // `echo '(field0 = 1, field1 = 2, field2 = 3, field3 = 18446744073709551615)'
        //   | capnp encode object_storage.capnp ObjectID | xxd -p`
        byte[] official = Convert.FromHexString(
            "0000000005000000000000000400000001000000000000000200000000000000" +
            "0300000000000000ffffffffffffffff");
        var id = new ObjectId(1, 2, 3, ulong.MaxValue);

        Assert.Equal(official, ObjectStorageWire.EncodeObjectIdMessage(id));
        Assert.Equal(id, ObjectStorageWire.DecodeObjectIdMessage(official));
    }

    [Fact]
    public void DecodeRequest_UnknownType_Throws()
    {
        byte[] frame = ObjectStorageWire.EncodeRequest(new ObjectRequest(new ObjectId(1, 2, 3, 4), 0, 1, (ObjectRequestType)9));

        Assert.Throws<ProtocolException>(() => ObjectStorageWire.DecodeRequest(frame));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(72)]
    public void DecodeRequest_TruncatedOrEmpty_ThrowsProtocolException(int length)
    {
        byte[] frame = GoldenStream.Load("client-to-object-storage.bin").Frames[0][..length];

        Assert.Throws<ProtocolException>(() => ObjectStorageWire.DecodeRequest(frame));
    }
}
