using System.Text;
using Scaler.Functions.Tests.Support;

namespace Scaler.Functions.Tests;

public sealed class ExecutorFailureTests
{
    private static readonly ReadOnlyMemory<byte>[] NoArguments = [];

    private readonly RemoteRunner _runner = new();

    [Fact]
    public async Task UserException_BecomesRemoteErrorWithTypeMessageAndStackTrace()
    {
        var error = await _runner.FailAsync((Func<int, int>)SampleFunctions.ThrowsInvalidOperation, 7);

        Assert.Equal("System.InvalidOperationException", error.TypeName);
        Assert.Equal("the value 7 is not acceptable", error.Message);
        Assert.Contains(nameof(SampleFunctions.ThrowsInvalidOperation), error.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserException_ReachesTheClientAsTaskFailedException()
    {
        var failure = await Assert.ThrowsAsync<TaskFailedException>(
            () => _runner.RunAsync((Func<int, int>)SampleFunctions.ThrowsInvalidOperation, 3));

        Assert.Equal("System.InvalidOperationException", failure.RemoteTypeName);
        Assert.Equal("the value 3 is not acceptable", failure.RemoteMessage);
        Assert.Contains(nameof(SampleFunctions.ThrowsInvalidOperation), failure.RemoteStackTrace, StringComparison.Ordinal);
        Assert.Contains("System.InvalidOperationException", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InnerExceptions_AreKept()
    {
        var error = await _runner.FailAsync((Func<int, int>)SampleFunctions.ThrowsWrapped, 1);

        Assert.Equal("System.FormatException", error.TypeName);
        var inner = Assert.Single(error.InnerErrors);
        Assert.Equal("System.InvalidOperationException", inner.TypeName);
        Assert.Contains(nameof(SampleFunctions.ThrowsInvalidOperation), inner.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExceptionThrownByALambda_IsReported()
    {
        var limit = 2;
        Func<int, int> check = x => x <= limit ? x : throw new ArgumentOutOfRangeException(nameof(x), x, "too big");

        var error = await _runner.FailAsync(check, 9);

        Assert.Equal("System.ArgumentOutOfRangeException", error.TypeName);
        Assert.Contains("too big", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PythonPickleSerializer_GivesTheClearError()
    {
        var call = PackagedCall.Create((Func<int, int, int>)SampleFunctions.Add, 1, 2);
        // What a Python client stores as its serializer object: a cloudpickle, protocol 5.
        byte[] pickle = [0x80, 0x05, 0x95, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x8c, 0x0a];

        var outcome = await _runner.Executor.ExecuteAsync(pickle, call.FunctionObject, call.ArgumentObjects, NoFetch);

        Assert.False(outcome.Succeeded);
        Assert.Equal(
            "task was submitted with a serializer this .NET worker cannot run (looks like a Python cloudpickle serializer); run it on a Python worker",
            outcome.Error!.Message);
        Assert.Equal("Scaler.Functions.FunctionLoadException", outcome.Error.TypeName);
    }

    [Fact]
    public async Task UnknownSerializerFormat_IsNamedInTheError()
    {
        var call = PackagedCall.Create((Func<int, int, int>)SampleFunctions.Add, 1, 2);
        var serializer = new SerializerDescriptor("protobuf-x", 1, "Custom 1.0", ".NET test").ToBytes();

        var outcome = await _runner.Executor.ExecuteAsync(serializer, call.FunctionObject, call.ArgumentObjects, NoFetch);

        Assert.False(outcome.Succeeded);
        Assert.Contains("serializer format 'protobuf-x'", outcome.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("not registered on this worker (registered: msgpack)", outcome.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomSerializer_RegisteredOnTheRunSide_IsUsed()
    {
        var custom = new TaggingSerializer();
        var registry = SerializerRegistry.CreateDefault();
        registry.Register(custom);
        var runner = new RemoteRunner(registry);
        var function = ShippableFunction.Capture((Func<string, string>)SampleFunctions.Greet, custom);
        var call = function.Package("bob");

        var outcome = await runner.ExecuteAsync(call);

        Assert.True(outcome.Succeeded, outcome.Error?.ToString());
        Assert.Equal("tag:hello bob", Encoding.UTF8.GetString(outcome.Payload.Span));
        Assert.Equal("hello bob", function.DeserializeResult(outcome.Payload));
    }

    [Fact]
    public async Task MalformedFunctionObject_IsAFailureNotAnException()
    {
        var call = PackagedCall.Create((Func<int, int, int>)SampleFunctions.Add, 1, 2);
        var truncated = call.FunctionObject[..(call.FunctionObject.Length / 2)];

        var outcome = await _runner.Executor.ExecuteAsync(call.SerializerObject, truncated, call.ArgumentObjects, NoFetch);

        Assert.False(outcome.Succeeded);
        Assert.Contains("function object is malformed", outcome.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotAFunctionObject_IsAFailure()
    {
        var call = PackagedCall.Create((Func<int, int, int>)SampleFunctions.Add, 1, 2);

        var outcome = await _runner.Executor.ExecuteAsync(call.SerializerObject, new byte[] { 0x80, 0x05, 1 }, call.ArgumentObjects, NoFetch);

        Assert.False(outcome.Succeeded);
        Assert.Contains("not a Scaler.NET function descriptor", outcome.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArgumentThatDoesNotDeserialize_IsAFailureNamingIt()
    {
        var call = PackagedCall.Create((Func<int, int, int>)SampleFunctions.Add, 1, 2);
        var text = MessagePackScalerSerializer.Instance.Serialize("not a number", typeof(string));

        var outcome = await _runner.Executor.ExecuteAsync(call.SerializerObject, call.FunctionObject, [call.ArgumentObjects[0], text], NoFetch);

        Assert.False(outcome.Succeeded);
        Assert.Contains("argument 1 of type int could not be deserialized", outcome.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongArgumentCount_IsAFailure()
    {
        var call = PackagedCall.Create((Func<int, int, int>)SampleFunctions.Add, 1, 2);

        var outcome = await _runner.Executor.ExecuteAsync(call.SerializerObject, call.FunctionObject, [call.ArgumentObjects[0]], NoFetch);

        Assert.False(outcome.Succeeded);
        Assert.Contains("takes 2 argument(s), but the task carries 1", outcome.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResultThatCannotBeSerialized_IsAFailureNamingTheResultType()
    {
        Func<int, ExplodingResult> make = _ => new ExplodingResult();

        var error = await _runner.FailAsync(make, 1);

        Assert.Equal("Scaler.Functions.ResultSerializationException", error.TypeName);
        Assert.Contains("result of type ExplodingResult could not be serialized", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_IsTheOnlyExceptionThatLeaves()
    {
        var call = PackagedCall.Create((Func<int, int, int>)SampleFunctions.Add, 1, 2);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var runner = new RemoteRunner();

        // Foreign code forces a fetch, which sees the cancelled token.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await runner.Executor.ExecuteAsync(
            call.SerializerObject, CorruptCode(call), call.ArgumentObjects, (_, ct) => ValueTask.FromCanceled<ReadOnlyMemory<byte>>(ct), cancelled.Token));
    }

    private static ReadOnlyMemory<byte> CorruptCode(PackagedCall call)
    {
        // Rewrite the test assembly's MVID in the descriptor so the worker does not find it loaded and must fetch it.
        var bytes = call.FunctionObject.ToArray();
        var mvid = typeof(SampleFunctions).Assembly.ManifestModule.ModuleVersionId.ToByteArray();
        var at = bytes.AsSpan().IndexOf(mvid);
        Assert.True(at > 0);
        bytes[at] ^= 0xFF;
        return bytes;
    }

    private static ValueTask<ReadOnlyMemory<byte>> NoFetch(CodeAssemblyReference assembly, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"no code fetch expected, asked for {assembly}");

    private sealed class TaggingSerializer : IScalerSerializer
    {
        public string FormatId => "tagged-text";

        public int FormatVersion => 1;

        public string LibraryVersion => "tests";

        public byte[] Serialize(object? value, Type declaredType) => Encoding.UTF8.GetBytes("tag:" + value);

        public object? Deserialize(ReadOnlyMemory<byte> bytes, Type declaredType)
        {
            var text = Encoding.UTF8.GetString(bytes.Span);
            Assert.StartsWith("tag:", text, StringComparison.Ordinal);
            return Convert.ChangeType(text[4..], declaredType, System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}

public sealed class ExplodingResult
{
    public int Value
    {
        get => throw new InvalidOperationException("this property cannot be read");
        set => _ = value;
    }
}
