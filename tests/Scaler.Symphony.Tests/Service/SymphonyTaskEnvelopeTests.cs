using System.Buffers.Binary;
using Scaler.Functions;
using Scaler.Symphony.Service;

namespace Scaler.Symphony.Tests.Service;

public sealed class SymphonyTaskEnvelopeTests
{
    private static readonly CodeAssemblyReference Reference = new("My.Code", "1.2.3.4", Guid.NewGuid(), new string('a', 64));

    [Fact]
    public void Encode_ThenDecode_GivesBackEveryPart()
    {
        var envelope = new SymphonyTaskEnvelope(
            new byte[] { 1, 2 },
            new byte[] { 3, 4, 5 },
            [new byte[] { 6 }, Array.Empty<byte>(), new byte[] { 7, 8 }],
            [new SymphonyCodeAssembly(Reference, new byte[] { 9, 9, 9 }), new SymphonyCodeAssembly(Reference with { }, ReadOnlyMemory<byte>.Empty)]);

        var decoded = SymphonyTaskEnvelope.Decode(envelope.Encode());

        Assert.Equal([1, 2], decoded.SerializerObject.ToArray());
        Assert.Equal([3, 4, 5], decoded.FunctionObject.ToArray());
        Assert.Equal(3, decoded.ArgumentObjects.Count);
        Assert.Equal([6], decoded.ArgumentObjects[0].ToArray());
        Assert.True(decoded.ArgumentObjects[1].IsEmpty);
        Assert.Equal([7, 8], decoded.ArgumentObjects[2].ToArray());
        Assert.Equal(2, decoded.CodeAssemblies.Count);
        Assert.Equal(Reference, decoded.CodeAssemblies[0].Reference);
        Assert.Equal([9, 9, 9], decoded.CodeAssemblies[0].Bytes.ToArray());
        Assert.False(decoded.CodeAssemblies[1].HasBytes);
    }

    [Fact]
    public void Encode_StartsWithMagicAndVersion()
    {
        var bytes = Minimal().Encode();

        Assert.Equal("SCLRSYMT"u8.ToArray(), bytes[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)));
    }

    [Fact]
    public void Decode_SkipsAnOptionalSectionItDoesNotKnow()
    {
        var bytes = Minimal().Encode().Concat(new byte[] { 200, 2, 0, 0, 0, 0xAB, 0xCD }).ToArray();

        var decoded = SymphonyTaskEnvelope.Decode(bytes);

        Assert.Equal([3], decoded.FunctionObject.ToArray());
    }

    [Theory]
    [InlineData("XXXXXXXX", "magic")]
    [InlineData("SCLRSYM", "magic")]
    public void Decode_RefusesWhatIsNotAnEnvelope(string text, string expected)
    {
        var error = Assert.Throws<SymphonyEnvelopeException>(() => SymphonyTaskEnvelope.Decode(System.Text.Encoding.ASCII.GetBytes(text + "\0\0\0\0\0")));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RefusesAnUnknownVersion()
    {
        var bytes = Minimal().Encode();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 7);

        var error = Assert.Throws<SymphonyEnvelopeException>(() => SymphonyTaskEnvelope.Decode(bytes));

        Assert.Contains("version 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RefusesASectionLongerThanWhatIsLeft()
    {
        var bytes = Minimal().Encode();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(13), 1_000_000);

        var error = Assert.Throws<SymphonyEnvelopeException>(() => SymphonyTaskEnvelope.Decode(bytes));

        Assert.Contains("claims 1000000 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RefusesAnUnknownRequiredSection()
    {
        var bytes = Minimal().Encode().Concat(new byte[] { 42, 0, 0, 0, 0 }).ToArray();

        var error = Assert.Throws<SymphonyEnvelopeException>(() => SymphonyTaskEnvelope.Decode(bytes));

        Assert.Contains("tag 42", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RefusesAnEnvelopeWithoutAFunction()
    {
        var bytes = new SymphonyTaskEnvelope(new byte[] { 1 }, new byte[] { 2 }, [], []).Encode()[..(12 + 5 + 1)];

        var error = Assert.Throws<SymphonyEnvelopeException>(() => SymphonyTaskEnvelope.Decode(bytes));

        Assert.Contains("no function section", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ChecksTheArgumentLimit()
    {
        var bytes = new SymphonyTaskEnvelope(new byte[] { 1 }, new byte[] { 2 }, [new byte[] { 1 }, new byte[] { 2 }, new byte[] { 3 }], []).Encode();

        var error = Assert.Throws<SymphonyEnvelopeException>(() =>
            SymphonyTaskEnvelope.Decode(bytes, SymphonyEnvelopeLimits.Default with { MaxArguments = 2 }));

        Assert.Contains("MaxArguments (2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ChecksTheEnvelopeSizeLimit()
    {
        var bytes = Minimal().Encode();

        var error = Assert.Throws<SymphonyEnvelopeException>(() =>
            SymphonyTaskEnvelope.Decode(bytes, SymphonyEnvelopeLimits.Default with { MaxEnvelopeBytes = 10 }));

        Assert.Contains("MaxEnvelopeBytes (10)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RefusesATruncatedCodeSection()
    {
        var bytes = new SymphonyTaskEnvelope(new byte[] { 1 }, new byte[] { 2 }, [], [new SymphonyCodeAssembly(Reference, new byte[] { 1 })]).Encode();
        var codeStart = 12 + 6 + 6;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(codeStart + 1), 10);

        var error = Assert.Throws<SymphonyEnvelopeException>(() => SymphonyTaskEnvelope.Decode(bytes.AsMemory(0, codeStart + 5 + 10)));

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Result_RoundTripsSuccessAndFailure()
    {
        var success = SymphonyTaskResult.Decode(SymphonyTaskResult.Success(new byte[] { 5, 6 }).Encode());
        var failure = SymphonyTaskResult.Decode(SymphonyTaskResult.Failure(new RemoteError("My.Error", "broken", "  at X")).Encode());

        Assert.True(success.Succeeded);
        Assert.Equal([5, 6], success.Payload.ToArray());
        Assert.False(failure.Succeeded);
        Assert.Equal("My.Error", failure.ReadError().TypeName);
        Assert.Equal("broken", failure.ReadError().Message);
        Assert.Throws<SymphonyEnvelopeException>(() => SymphonyTaskResult.Decode(new byte[] { 1, 2, 3 }));
    }

    [Fact]
    public void Envelope_WithCodeByHashOnly_RoundTripsTheReferenceAndTheFlag()
    {
        var reference = new CodeAssemblyReference("Other.Code", "2.0.0.0", Guid.NewGuid(), new string('b', 64));
        var envelope = new SymphonyTaskEnvelope(
            new byte[] { 1 },
            new byte[] { 3 },
            [new byte[] { 4 }],
            [new SymphonyCodeAssembly(Reference, ReadOnlyMemory<byte>.Empty), new SymphonyCodeAssembly(reference, ReadOnlyMemory<byte>.Empty)],
            SymphonyEnvelopeFlags.ResolvesCodeByHash);

        var bytes = envelope.Encode();
        var decoded = SymphonyTaskEnvelope.Decode(bytes);

        Assert.Equal((ushort)SymphonyEnvelopeFlags.ResolvesCodeByHash, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(10)));
        Assert.Equal(SymphonyEnvelopeFlags.ResolvesCodeByHash, decoded.Flags);
        Assert.Equal([Reference, reference], decoded.CodeAssemblies.Select(c => c.Reference));
        Assert.All(decoded.CodeAssemblies, c => Assert.False(c.HasBytes));
        Assert.Equal(SymphonyEnvelopeFlags.None, SymphonyTaskEnvelope.Decode(Minimal().Encode()).Flags);
    }

    [Fact]
    public void Result_CodeMissing_RoundTripsTheHashesInLayout2()
    {
        var other = new CodeAssemblyReference("Other.Code", "2.0.0.0", Guid.NewGuid(), "0123456789abcdef" + new string('c', 48));

        var bytes = SymphonyTaskResult.CodeMissing([Reference, other]).Encode();
        var decoded = SymphonyTaskResult.Decode(bytes);

        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(2, bytes[10]);
        Assert.Equal(SymphonyTaskResultKind.CodeMissing, decoded.Kind);
        Assert.False(decoded.Succeeded);
        Assert.Equal(2, decoded.Version);
        Assert.Equal([Reference.Sha256Hex, other.Sha256Hex], decoded.ReadMissingCode());
        Assert.Throws<InvalidOperationException>(() => decoded.ReadError());
        Assert.Throws<InvalidOperationException>(() => SymphonyTaskResult.CodeMissing([Reference]).WithVersion(1));
    }

    [Fact]
    public void Result_Layout1_HasNoCodeMissingStatus_AndLayout2ReadsSuccessAndFailure()
    {
        var v1CodeMissing = SymphonyTaskResult.CodeMissing([Reference]).Encode();
        BinaryPrimitives.WriteUInt16LittleEndian(v1CodeMissing.AsSpan(8), 1);
        var truncatedHash = SymphonyTaskResult.CodeMissing([Reference]).Encode()[..^1];

        Assert.Contains("status 2", Assert.Throws<SymphonyEnvelopeException>(() => SymphonyTaskResult.Decode(v1CodeMissing)).Message, StringComparison.Ordinal);
        Assert.Throws<SymphonyEnvelopeException>(() => SymphonyTaskResult.Decode(truncatedHash));
        var v1 = SymphonyTaskResult.Decode(SymphonyTaskResult.Success(new byte[] { 5 }).Encode());
        var v2 = SymphonyTaskResult.Decode(SymphonyTaskResult.Failure(new RemoteError("E", "m", string.Empty)).WithVersion(2).Encode());
        Assert.Equal((ushort)1, v1.Version);
        Assert.True(v1.Succeeded);
        Assert.Equal((ushort)2, v2.Version);
        Assert.Equal(SymphonyTaskResultKind.Failed, v2.Kind);
        Assert.Equal("m", v2.ReadError().Message);
        var v3 = SymphonyTaskResult.Success(new byte[] { 5 }).Encode();
        BinaryPrimitives.WriteUInt16LittleEndian(v3.AsSpan(8), 3);
        Assert.Throws<SymphonyEnvelopeException>(() => SymphonyTaskResult.Decode(v3));
    }

    private static SymphonyTaskEnvelope Minimal() => new(new byte[] { 1 }, new byte[] { 3 }, [], []);
}
