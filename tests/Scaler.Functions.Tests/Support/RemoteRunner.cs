namespace Scaler.Functions.Tests.Support;

/// <summary>
/// Plays both sides of a task in one process: packages a call as a client would, hands the bytes to a
/// <see cref="TaskExecutor"/> as a worker would, and serves code objects from the package by hash.
/// </summary>
internal sealed class RemoteRunner
{
    private readonly Dictionary<string, byte[]> _storedCode = new(StringComparer.Ordinal);

    public RemoteRunner(SerializerRegistry? registry = null)
    {
        CodeCache = new CodeCache();
        Executor = new TaskExecutor(registry ?? SerializerRegistry.CreateDefault(), CodeCache);
    }

    public CodeCache CodeCache { get; }

    public TaskExecutor Executor { get; }

    public List<string> Fetched { get; } = [];

    public void Store(IEnumerable<CodeAssembly> code)
    {
        foreach (var assembly in code)
        {
            _storedCode[assembly.Reference.Sha256Hex] = assembly.ReadBytes();
        }
    }

    public async Task<TaskOutcome> ExecuteAsync(PackagedCall call)
    {
        Store(call.CodeAssemblies);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await Executor.ExecuteAsync(call.SerializerObject, call.FunctionObject, call.ArgumentObjects, FetchAsync, timeout.Token);
    }

    /// <summary>Runs the call remotely and reads the result the way the client will; a failure becomes a <see cref="TaskFailedException"/>.</summary>
    public async Task<object?> RunAsync(Delegate function, params object?[] arguments)
    {
        var call = PackagedCall.Create(function, arguments);
        var outcome = await ExecuteAsync(call);
        if (!outcome.Succeeded)
        {
            throw RemoteError.Read(outcome.Payload.Span).ToException();
        }

        return call.Function.DeserializeResult(outcome.Payload);
    }

    public async Task<RemoteError> FailAsync(Delegate function, params object?[] arguments)
    {
        var outcome = await ExecuteAsync(PackagedCall.Create(function, arguments));
        Assert.False(outcome.Succeeded, "the task was expected to fail");
        Assert.True(RemoteError.TryParse(outcome.Payload.Span, out var error), "the failure payload is not a RemoteError");
        return error;
    }

    private ValueTask<ReadOnlyMemory<byte>> FetchAsync(CodeAssemblyReference assembly, CancellationToken cancellationToken)
    {
        Fetched.Add(assembly.Name);
        return _storedCode.TryGetValue(assembly.Sha256Hex, out var bytes)
            ? ValueTask.FromResult<ReadOnlyMemory<byte>>(bytes)
            : ValueTask.FromException<ReadOnlyMemory<byte>>(new KeyNotFoundException($"no object for {assembly}"));
    }
}
