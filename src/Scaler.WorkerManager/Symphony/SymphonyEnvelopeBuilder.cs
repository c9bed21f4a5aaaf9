using System.Collections.Concurrent;
using Scaler.Functions;
using Scaler.IO.Threading;
using Scaler.Identity;
using Scaler.Python.Pickles;
using Scaler.Symphony.Service;
using Scaler.Worker.Execution;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// Builds the SOAM input of a task from its objects in object storage: a <see cref="SymphonyTaskEnvelope"/> for a .NET
/// client's task, the reference's contract (<see cref="PythonSoamContract"/>) for a Python client's. It keeps what a
/// worker would otherwise fetch or read again for every task: the serializer and function objects
/// (<see cref="ObjectFetchCache"/>), each function's code list, the bytes of each code assembly (by SHA-256), and
/// whether each Python serializer is the reference's default one. Code the service is known to hold
/// (<see cref="ServiceCodeLedger"/>) is named by hash only.
/// </summary>
internal sealed class SymphonyEnvelopeBuilder
{
    /// <summary>Code assemblies whose bytes are kept; beyond it a code assembly is fetched for each task that carries it.</summary>
    public const int MaxCachedCodeAssemblies = 256;

    private readonly Func<ObjectId, CancellationToken, Task<ReadOnlyMemory<byte>>> _get;
    private readonly ObjectFetchCache _sharedObjects;
    private readonly ServiceCodeLedger _codeLedger;
    private readonly ConcurrentDictionary<string, ReadOnlyMemory<byte>> _code = new(StringComparer.Ordinal);

    /// <summary>Whether each Python client's serializer object is the reference's default serializer, by object ID.</summary>
    private readonly ConcurrentDictionary<ObjectId, bool> _defaultSerializers = new();

    /// <summary>The code list of each function object (read once per function, not once per task), by object ID.</summary>
    private readonly ConcurrentDictionary<ObjectId, IReadOnlyList<CodeAssemblyReference>> _functionCode = new();

    /// <param name="get">Reads one object from object storage (the backend's own connection).</param>
    /// <param name="codeLedger">What the application's service instances are known to hold.</param>
    public SymphonyEnvelopeBuilder(Func<ObjectId, CancellationToken, Task<ReadOnlyMemory<byte>>> get, ServiceCodeLedger codeLedger)
    {
        ArgumentNullException.ThrowIfNull(get);
        ArgumentNullException.ThrowIfNull(codeLedger);
        _get = get;
        _sharedObjects = new ObjectFetchCache(get);
        _codeLedger = codeLedger;
    }

    /// <summary>Code assemblies whose bytes are cached.</summary>
    public int CachedCodeAssemblies => _code.Count;

    /// <summary>
    /// Fetches the task's objects (all at once; the serializer and function from <see cref="ObjectFetchCache"/> after
    /// the first task of a client) and encodes its input. Code the service is known to hold is named by hash only,
    /// unless <see cref="InFlightTask.IncludeAllCode"/> (the service answered code-missing for this task). Records on
    /// <paramref name="task"/> what the answer will be read against: its language, and the code it carried or omitted.
    /// </summary>
    /// <remarks>
    /// Started by the agent's loop under the turn context, a build resumes in the object storage client's turn that
    /// read its objects, so a burst of answers is turned into envelopes and sent on that thread without a hop (its
    /// awaits keep the context: the runtime does not inline a ConfigureAwait(false) continuation under one).
    /// </remarks>
    /// <exception cref="InvalidDataException">The function object is not a Scaler.NET one, or is malformed.</exception>
    [TurnChain]
    public async Task<byte[]> BuildAsync(InFlightTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var message = task.Task;
        var owner = ObjectOwner.FromClientIdentity(message.Source);
        var serializerFetch = _sharedObjects.GetAsync(ObjectId.ForSerializer(owner), cancellationToken);
        var functionFetch = _sharedObjects.GetAsync(ObjectId.FromBytes(message.FuncObjectId), cancellationToken);
        var argumentFetches = new Task<ReadOnlyMemory<byte>>[message.FunctionArgs.Count];
        for (var i = 0; i < argumentFetches.Length; i++)
        {
            argumentFetches[i] = _get(ObjectId.FromBytes(message.FunctionArgs[i].Data), cancellationToken);
        }

        var serializer = await serializerFetch.ConfigureAwait(TurnContext.IsCurrent);
        var function = await functionFetch.ConfigureAwait(TurnContext.IsCurrent);
        var arguments = await Task.WhenAll(argumentFetches).ConfigureAwait(TurnContext.IsCurrent);

        task.Language = TaskLanguages.Detect(serializer.Span);
        if (task.Language == TaskLanguage.Python)
        {
            // A Python client's task travels in the reference's contract (PythonSoamContract), with no code to carry.
            task.ReferenceDefaultSerializer = IsReferenceDefaultSerializer(ObjectId.ForSerializer(owner), serializer);
            task.OmittedCode = false;
            task.CodeCarried = [];
            return PythonSoamContract.BuildInput(serializer, task.ReferenceDefaultSerializer, function, arguments);
        }

        var references = CodeOf(ObjectId.FromBytes(message.FuncObjectId), function);
        var code = new List<SymphonyCodeAssembly>(references.Count);
        var carried = new List<string>();
        task.OmittedCode = false;
        foreach (var reference in references)
        {
            if (!task.IncludeAllCode && _codeLedger.MayOmit(reference.Sha256Hex))
            {
                code.Add(new SymphonyCodeAssembly(reference, ReadOnlyMemory<byte>.Empty));
                task.OmittedCode = true;
                continue;
            }

            if (!_code.TryGetValue(reference.Sha256Hex, out var bytes))
            {
                bytes = await _get(ObjectId.FromBytes(reference.ObjectId()), cancellationToken).ConfigureAwait(TurnContext.IsCurrent);
                if (_code.Count < MaxCachedCodeAssemblies)
                {
                    _code.TryAdd(reference.Sha256Hex, bytes);
                }
            }

            code.Add(new SymphonyCodeAssembly(reference, bytes));
            carried.Add(reference.Sha256Hex);
        }

        task.CodeCarried = carried;
        return new SymphonyTaskEnvelope(serializer, function, arguments, code, SymphonyEnvelopeFlags.ResolvesCodeByHash).Encode();
    }

    /// <summary>The code assemblies a function object names; read once per function object.</summary>
    private IReadOnlyList<CodeAssemblyReference> CodeOf(ObjectId functionId, ReadOnlyMemory<byte> function)
    {
        if (_functionCode.TryGetValue(functionId, out var references))
        {
            return references;
        }

        references = FunctionCodeReferences.Read(function);
        if (_functionCode.Count >= ObjectFetchCache.DefaultCapacity)
        {
            _functionCode.Clear();
        }

        _functionCode[functionId] = references;
        return references;
    }

    /// <summary>Whether a client's serializer object is the reference's default one; read once per serializer object.</summary>
    private bool IsReferenceDefaultSerializer(ObjectId serializerId, ReadOnlyMemory<byte> serializer)
    {
        if (_defaultSerializers.TryGetValue(serializerId, out var known))
        {
            return known;
        }

        if (_defaultSerializers.Count >= ObjectFetchCache.DefaultCapacity)
        {
            _defaultSerializers.Clear();
        }

        return _defaultSerializers[serializerId] = PythonPickles.IsReferenceDefaultSerializer(serializer);
    }
}
