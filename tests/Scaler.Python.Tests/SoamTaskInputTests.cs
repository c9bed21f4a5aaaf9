using System.Text.Json;
using Scaler.Python.Pickles;
using Scaler.Python.Symphony;
using Scaler.Python.Tests.Support;

namespace Scaler.Python.Tests;

public sealed class SoamTaskInputTests
{
    /// <summary>What the reference worker manager's Python SOAM service does with a task input.</summary>
    private const string ReferenceService = """
        import cloudpickle, sys, base64
        payload = sys.stdin.buffer.read()
        function, *arguments = cloudpickle.loads(payload)
        sys.stdout.write(base64.b64encode(cloudpickle.dumps(function(*arguments))).decode())
        """;

    [Fact]
    public void DefaultSerializer_TheReferenceServiceRunsTheTupleAndItsOutputIsTheResultObject()
    {
        var input = PythonSoamTaskInput.Build(
            GoldenObjects.Serializer, referenceDefaultSerializer: true, GoldenObjects.Square, [GoldenObjects.Seven], PythonSoamInputFlags.AnswerInEnvelope);

        var output = Convert.FromBase64String(TestPython.Run(ReferenceService, input));

        // The result object as the reference client's DefaultSerializer reads it.
        Assert.Equal("49", TestPython.Run("import cloudpickle, sys; print(cloudpickle.loads(sys.stdin.buffer.read()))", output));
        Assert.True(PythonSoamTaskInput.TryReadTrailer(input, out var flags));
        Assert.Equal(PythonSoamInputFlags.AnswerInEnvelope, flags);
    }

    [Fact]
    public void CustomSerializer_TheServiceHandsBackWhatTheClientsSerializerWrites()
    {
        // A user serializer (JSON for data, cloudpickle for the rest, such as the function), pickled by value as
        // cloudpickle does for a class in the client's __main__. It writes functions and arguments alike.
        var made = JsonSerializer.Deserialize<string[]>(TestPython.Run("""
            import cloudpickle, json, base64
            class TaggedSerializer:
                @staticmethod
                def serialize(obj):
                    try: return b"J" + json.dumps(obj).encode()
                    except TypeError: return b"P" + cloudpickle.dumps(obj)
                @staticmethod
                def deserialize(payload):
                    return json.loads(payload[1:]) if payload[:1] == b"J" else cloudpickle.loads(payload[1:])
            s = TaggedSerializer()
            def add(a, b): return {"sum": a + b}
            print(json.dumps([base64.b64encode(x).decode() for x in
                (cloudpickle.dumps(s), s.serialize(add), s.serialize(2), s.serialize(40))]))
            """))!.Select(Convert.FromBase64String).ToArray();

        var input = PythonSoamTaskInput.Build(made[0], referenceDefaultSerializer: false, made[1], [made[2], made[3]], PythonSoamInputFlags.None);
        var output = Convert.FromBase64String(TestPython.Run(ReferenceService, input));

        Assert.True(PythonPickles.TryReadBytes(output, out var resultObject, out var error), error);
        Assert.Equal("J{\"sum\": 42}", TestPython.Utf8(resultObject.ToArray()));
        Assert.False(PythonSoamTaskInput.TryReadTrailer(made[1], out _));
    }
}
