using Scaler.Python.Pickles;
using Scaler.Python.Tests.Support;

namespace Scaler.Python.Tests;

public sealed class PickleTests
{
    [Theory]
    [InlineData("ProcessorDied", "scaler.utility.exceptions.ProcessorDiedError")]
    [InlineData("DeserializeObject", "scaler.utility.exceptions.DeserializeObjectError")]
    [InlineData("Timeout", "builtins.TimeoutError")]
    [InlineData("Runtime", "builtins.RuntimeError")]
    public void PythonErrors_LoadInPythonAsTheNamedExceptionWithTheMessage(string kind, string expectedType)
    {
        var message = "naïve message with a newline\nand more " + new string('x', 300);
        var pickle = kind switch
        {
            "ProcessorDied" => PythonErrors.ProcessorDied(message),
            "DeserializeObject" => PythonErrors.DeserializeObject(message),
            "Timeout" => PythonErrors.Timeout(message),
            _ => PythonErrors.Runtime(message),
        };

        var loaded = TestPython.Run(TestPython.ReferenceExceptionsStub + """
            import pickle, json
            e = pickle.loads(sys.stdin.buffer.read())
            assert isinstance(e, BaseException), type(e)
            print(json.dumps([type(e).__module__ + "." + type(e).__qualname__, str(e)]))
            """, pickle);

        Assert.Equal([expectedType, message], System.Text.Json.JsonSerializer.Deserialize<string[]>(loaded)!);
    }

    [Fact]
    public void Reader_RecognisesTheReferenceClientsDefaultSerializer()
    {
        Assert.True(PickleReader.LooksLikePickle(GoldenObjects.Serializer));
        Assert.True(PythonPickles.IsReferenceDefaultSerializer(GoldenObjects.Serializer));
        Assert.False(PythonPickles.IsReferenceDefaultSerializer(GoldenObjects.Square));
        Assert.False(PythonPickles.IsReferenceDefaultSerializer("SCALER.NET/SERIALIZER 1\nformat=msgpack\n"u8.ToArray()));
    }

    [Fact]
    public void Reader_DescribesTheReferenceWorkersTblibFailureAndOurOwnErrors()
    {
        Assert.True(PythonPickles.TryDescribeException(GoldenObjects.BoomFailure, out var type, out var message));
        Assert.Equal(("ValueError", "golden-error"), (type, message));

        Assert.True(PythonPickles.TryDescribeException(PythonErrors.ProcessorDied("gone"), out type, out message));
        Assert.Equal(("scaler.utility.exceptions.ProcessorDiedError", "gone"), (type, message));
    }

    [Fact]
    public void Reader_ReadsBytesAsCloudpicklePicklesThemSmallLargeAndInAList()
    {
        var encoded = TestPython.Run("""
            import cloudpickle, base64, json
            print(json.dumps([base64.b64encode(cloudpickle.dumps(x)).decode() for x in
                (b"tiny", bytes(range(256)) * 300, [b"in a list"], 42)]))
            """);
        var pickles = System.Text.Json.JsonSerializer.Deserialize<string[]>(encoded)!.Select(Convert.FromBase64String).ToArray();

        Assert.True(PythonPickles.TryReadBytes(pickles[0], out var tiny, out _));
        Assert.Equal("tiny"u8.ToArray(), tiny.ToArray());
        Assert.True(PythonPickles.TryReadBytes(pickles[1], out var large, out _));
        Assert.Equal(Enumerable.Repeat(Enumerable.Range(0, 256).Select(i => (byte)i), 300).SelectMany(b => b).ToArray(), large.ToArray());
        Assert.True(PythonPickles.TryReadBytes(pickles[2], out var listed, out _));
        Assert.Equal("in a list"u8.ToArray(), listed.ToArray());
        Assert.False(PythonPickles.TryReadBytes(pickles[3], out _, out var error));
        Assert.Contains("expected bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_GivesUpWithAReasonOnEveryTruncationAndOnGarbage_NeverThrows()
    {
        foreach (var golden in new[] { GoldenObjects.Serializer, GoldenObjects.Square, GoldenObjects.BoomFailure })
        {
            for (var length = 0; length < golden.Length; length++)
            {
                Assert.False(PickleReader.TryRead(golden.AsMemory(0, length), out _, out var error));
                Assert.False(string.IsNullOrEmpty(error));
            }
        }

        var random = new Random(1234);
        for (var i = 0; i < 2000; i++)
        {
            var garbage = new byte[random.Next(1, 64)];
            random.NextBytes(garbage);
            garbage[0] = 0x80;
            _ = PickleReader.TryRead(garbage, out _, out _);
        }

        // A length that claims more than is there is refused before anything is allocated.
        Assert.False(PickleReader.TryRead(new byte[] { 0x80, 4, 0x8e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f }, out _, out var huge));
        Assert.Contains("runs past the end", huge, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_OutputIsWhatPythonReadsBack()
    {
        var pickle = new PickleWriter()
            .Global("builtins", "tuple").Mark().Text("a").Bytes(new byte[300]).Int(-5).None().TupleFromMark().Tuple1().Reduce()
            .ToArrayWithStop();

        Assert.Equal("('a', 300, -5, None)", TestPython.Run("""
            import pickle, sys
            t = pickle.loads(sys.stdin.buffer.read())
            print((t[0], len(t[1]), t[2], t[3]))
            """, pickle));
    }
}
