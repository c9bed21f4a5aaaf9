using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Scaler.Functions;
using Scaler.IO.Addressing;
using Scaler.IO.Threading;
using Scaler.IO.Ymq;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Store;
using Scaler.Protocol.Messages;
using Scaler.Python.Pickles;
using Scaler.Symphony.Local;
using Scaler.Symphony.Service;
using Scaler.Symphony.Soam;
using Scaler.Worker.Execution;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// Runs a worker's tasks as SOAM tasks: for each task it fetches the serializer, function, argument and code objects
/// from object storage, sends one <see cref="SymphonyTaskEnvelope"/> through a <see cref="SoamTaskSession"/>, and
/// stores the <see cref="SymphonyTaskResult"/> (or a Symphony-level failure as a <see cref="RemoteError"/>) in object
/// storage under the task's outcome ID, and reports it to the worker agent, which sends TaskResult.
/// </summary>
/// <remarks>
/// At most <see cref="SymphonyBackendOptions.MaxTaskConcurrency"/> tasks are in Symphony at once. Up to
/// <see cref="SymphonyBackendOptions.TasksAhead"/> more are held here and prepared (objects fetched, envelope built)
/// while that bound is full, so a freed slot never waits on object storage; no preparation starts while the envelopes
/// held reach <see cref="SymphonyBackendOptions.MaxEnvelopeBytesAhead"/> bytes, so large arguments never pile up.
/// The agent keeps the rest queued, and none is accepted before the session is open: tasks that arrive early wait in
/// the agent's queue.
/// When the session is lost (a session-wide SOAM exception, or a refused send), the tasks it held are sent again in a
/// newly opened session, each at most <see cref="SymphonyBackendOptions.MaxSessionLossesPerTask"/> times. SOAM has no
/// client-side task cancel, so only a task not yet sent can be cancelled (<see cref="CancelsRunningTasks"/> is false).
/// </remarks>
public sealed partial class SymphonyExecutionBackend : ITaskExecutionBackend
{
    private const int MaxCachedCodeAssemblies = 256;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, InFlightTask> _tasks = new(StringComparer.Ordinal);
    private readonly List<InFlightTask> _accepted = [];
    private readonly List<InFlightTask> _waiting = [];
    private readonly List<InFlightTask> _ready = [];
    private readonly ConcurrentDictionary<string, ReadOnlyMemory<byte>> _code = new(StringComparer.Ordinal);

    /// <summary>Whether each Python client's serializer object is the reference's default serializer, by object ID.</summary>
    private readonly ConcurrentDictionary<ObjectId, bool> _defaultSerializers = new();

    /// <summary>The code list of each function object (read once per function, not once per task), by object ID.</summary>
    private readonly ConcurrentDictionary<ObjectId, IReadOnlyList<CodeAssemblyReference>> _functionCode = new();

    private readonly CancellationTokenSource _stopping = new();
    private readonly ISoamApi _api;
    private readonly SymphonyBackendOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;

    private ITaskCompletionSink? _sink;
    private CompletionBatcher<FinishedTask>? _finished;
    private ObjectStorageClient? _storage;
    private ObjectFetchCache? _sharedObjects;

    private int _codeMissingAnswers;
    private OpenSession? _session;
    private bool _opening;
    private bool _disposed;
    private int _sessionsOpened;
    private int _sent;

    /// <summary>Bytes of the envelopes held (prepared, waiting or in Symphony); guarded by <see cref="_gate"/>.</summary>
    private long _envelopeBytes;
    private Task _opener = Task.CompletedTask;

    public SymphonyExecutionBackend(ISoamApi api, SymphonyBackendOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTaskConcurrency, 1);
        _api = api;
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<SymphonyExecutionBackend>();
    }

    public int Concurrency => _options.MaxTaskConcurrency;

    /// <summary>
    /// Tasks held here: the Symphony bound and <see cref="SymphonyBackendOptions.TasksAhead"/> more, whose objects are
    /// fetched while the bound is full (only <see cref="SymphonyBackendOptions.MaxTaskConcurrency"/> of them are ever
    /// in Symphony).
    /// </summary>
    private int HeldLimit => _options.MaxTaskConcurrency + _options.TasksAhead;

    public bool CanAccept
    {
        get
        {
            lock (_gate)
            {
                return _session is not null && !_disposed && _tasks.Count < HeldLimit;
            }
        }
    }

    /// <summary>False: a task already in Symphony cannot be stopped; a cancel of it is confirmed CancelFailed.</summary>
    public bool CancelsRunningTasks => false;

    /// <summary>The id of the open SOAM session, or null while none is open.</summary>
    public string? SessionId
    {
        get
        {
            lock (_gate)
            {
                return _session?.Session.SessionId;
            }
        }
    }

    /// <summary>How many sessions were opened (1 + the reopens after losses).</summary>
    public int SessionsOpened => Volatile.Read(ref _sessionsOpened);

    /// <summary>How many code-missing answers the service gave (each one made its task be sent again with the bytes).</summary>
    public int CodeMissingAnswers => Volatile.Read(ref _codeMissingAnswers);

    /// <summary>Tasks held here (preparing, waiting for a session, or in Symphony).</summary>
    public int TasksHeld
    {
        get
        {
            lock (_gate)
            {
                return _tasks.Count;
            }
        }
    }

    /// <summary>Bytes of the envelopes held (prepared, waiting for a slot, or in Symphony).</summary>
    internal long EnvelopeBytesHeld
    {
        get
        {
            lock (_gate)
            {
                return _envelopeBytes;
            }
        }
    }

    /// <summary>Tasks held whose preparation has not started (held back by the byte bound).</summary>
    internal int TasksAwaitingPreparation
    {
        get
        {
            lock (_gate)
            {
                return _accepted.Count;
            }
        }
    }

    public async ValueTask StartAsync(ScalerAddress objectStorageAddress, ITaskCompletionSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectStorageAddress);
        ArgumentNullException.ThrowIfNull(sink);
        _sink = sink;
        _storage = await ObjectStorageClient.ConnectAsync(
            objectStorageAddress,
            _options.Tls.ForConnectorToServer(new YmqOptions { Identity = _options.WorkerIdentity + "|soam" }),
            _loggerFactory,
            cancellationToken).ConfigureAwait(false);

        // Made once storage is connected: a batch is only ever stored through it.
        _finished = new CompletionBatcher<FinishedTask>(StoreAndReport, _options.CompletionBatchWindow, _options.TimeProvider);
        _sharedObjects = new ObjectFetchCache(_storage.GetAsync);
        lock (_gate)
        {
            if (_disposed || _opening)
            {
                return;
            }

            _opening = true;
            _opener = Task.Run(() => OpenLoopAsync(previous: null), CancellationToken.None);
        }
    }

    public ValueTask SubmitAsync(TaskMessage task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var entry = new InFlightTask(task, Convert.ToHexString(task.TaskId));
        List<InFlightTask>? start;
        lock (_gate)
        {
            _tasks[entry.Key] = entry;
            _accepted.Add(entry);
            start = TakePreparableLocked();
        }

        // Started here rather than on the thread pool: each runs until its first fetch is pending (a thread hop less
        // per task), and never throws (failures complete the task).
        StartPreparing(start);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Held tasks whose preparation may start now: none while the envelopes held reach the byte bound. Preparations in
    /// progress are bounded by the count of tasks held, as the native processor's prefetch is by its depth.
    /// </summary>
    private List<InFlightTask>? TakePreparableLocked()
    {
        List<InFlightTask>? start = null;
        while (_accepted.Count > 0 && _envelopeBytes < _options.MaxEnvelopeBytesAhead && !_disposed)
        {
            var next = _accepted[0];
            _accepted.RemoveAt(0);
            next.State = InFlightState.Preparing;
            (start ??= []).Add(next);
        }

        return start;
    }

    private void StartPreparing(List<InFlightTask>? entries)
    {
        if (entries is null)
        {
            return;
        }

        foreach (var entry in entries)
        {
            _ = PrepareAndSendAsync(entry);
        }
    }

    /// <summary>Replaces a held task's envelope, keeping <see cref="_envelopeBytes"/> in step.</summary>
    private void SetInputLocked(InFlightTask entry, byte[]? input)
    {
        _envelopeBytes += (input?.Length ?? 0) - (entry.Input?.Length ?? 0);
        entry.Input = input;
    }

    public ValueTask<bool> CancelAsync(ReadOnlyMemory<byte> taskId, CancellationToken cancellationToken)
    {
        var key = Convert.ToHexString(taskId.Span);
        List<InFlightTask>? start;
        lock (_gate)
        {
            if (!_tasks.TryGetValue(key, out var entry) || entry.State == InFlightState.Sent)
            {
                return ValueTask.FromResult(false);
            }

            entry.State = InFlightState.Done;
            _tasks.Remove(key);
            _accepted.Remove(entry);
            _waiting.Remove(entry);
            _ready.Remove(entry);
            SetInputLocked(entry, null);
            start = TakePreparableLocked();
        }

        StartPreparing(start);
        LogCancelledBeforeSend(_logger, key);
        _sink?.CapacityAvailable();
        return ValueTask.FromResult(true);
    }

    public IReadOnlyList<ProcessorStatus> GetProcessorStatuses() => [];

    public async ValueTask DisposeAsync()
    {
        OpenSession? session;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            session = _session;
            _session = null;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _opener.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        if (session is not null)
        {
            CloseQuietly(session);
        }

        // Results waiting for their batch are stored and reported now (or handed to the agent to store), not dropped.
        _finished?.Dispose();
        if (_storage is not null)
        {
            await _storage.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    /// <remarks>
    /// Started by the agent's loop under the turn context, a preparation resumes in the object storage client's turn
    /// that read its objects, so a burst of answers is turned into envelopes and sent on that thread without a hop
    /// (its awaits keep the context: the runtime does not inline a ConfigureAwait(false) continuation under one).
    /// </remarks>
    private async Task PrepareAndSendAsync(InFlightTask entry)
    {
        byte[] input;
        try
        {
            input = await BuildEnvelopeAsync(entry, _stopping.Token).ConfigureAwait(TurnContext.IsCurrent);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // whatever stops a task's inputs from being read fails that task, not the worker
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogPrepareFailed(_logger, entry.Key, e.Message);
            PreparationEnded(entry, input: null);
            Complete(entry, TaskResultType.Failed, ErrorPayload(entry, RemoteError.FromException(e)));
            return;
        }

        PreparationEnded(entry, input);
        Send(entry);
    }

    /// <summary>Keeps the envelope (unless the task was cancelled meanwhile) and lets the next preparations start.</summary>
    private void PreparationEnded(InFlightTask entry, byte[]? input)
    {
        List<InFlightTask>? start;
        lock (_gate)
        {
            if (entry.State != InFlightState.Done)
            {
                SetInputLocked(entry, input);
            }

            start = TakePreparableLocked();
        }

        StartPreparing(start);
    }

    /// <summary>
    /// Fetches the task's objects (all at once; the serializer and function from <see cref="ObjectFetchCache"/> after
    /// the first task of a client) and encodes its envelope. Code the service is known to hold is named by hash only,
    /// unless <see cref="InFlightTask.IncludeAllCode"/> (the service answered code-missing for this task).
    /// </summary>
    private async Task<byte[]> BuildEnvelopeAsync(InFlightTask entry, CancellationToken cancellationToken)
    {
        var storage = _storage ?? throw new InvalidOperationException("the backend is not started");
        var shared = _sharedObjects!;
        var task = entry.Task;
        var owner = ObjectOwner.FromClientIdentity(task.Source);
        var serializerFetch = shared.GetAsync(ObjectId.ForSerializer(owner), cancellationToken);
        var functionFetch = shared.GetAsync(ObjectId.FromBytes(task.FuncObjectId), cancellationToken);
        var argumentFetches = new Task<ReadOnlyMemory<byte>>[task.FunctionArgs.Count];
        for (var i = 0; i < argumentFetches.Length; i++)
        {
            argumentFetches[i] = storage.GetAsync(ObjectId.FromBytes(task.FunctionArgs[i].Data), cancellationToken);
        }

        var serializer = await serializerFetch.ConfigureAwait(TurnContext.IsCurrent);
        var function = await functionFetch.ConfigureAwait(TurnContext.IsCurrent);
        var arguments = await Task.WhenAll(argumentFetches).ConfigureAwait(TurnContext.IsCurrent);

        entry.Language = TaskLanguages.Detect(serializer.Span);
        if (entry.Language == TaskLanguage.Python)
        {
            // A Python client's task travels in the reference's contract (PythonSoamContract), with no code to carry.
            entry.ReferenceDefaultSerializer = IsReferenceDefaultSerializer(ObjectId.ForSerializer(owner), serializer);
            entry.OmittedCode = false;
            entry.CodeCarried = [];
            return PythonSoamContract.BuildInput(serializer, entry.ReferenceDefaultSerializer, function, arguments);
        }

        var functionId = ObjectId.FromBytes(task.FuncObjectId);
        if (!_functionCode.TryGetValue(functionId, out var references))
        {
            references = FunctionCodeReferences.Read(function);
            if (_functionCode.Count >= ObjectFetchCache.DefaultCapacity)
            {
                _functionCode.Clear();
            }

            _functionCode[functionId] = references;
        }

        var code = new List<SymphonyCodeAssembly>(references.Count);
        var carried = new List<string>();
        entry.OmittedCode = false;
        foreach (var reference in references)
        {
            if (!entry.IncludeAllCode && _options.CodeLedger.MayOmit(reference.Sha256Hex))
            {
                code.Add(new SymphonyCodeAssembly(reference, ReadOnlyMemory<byte>.Empty));
                entry.OmittedCode = true;
                continue;
            }

            if (!_code.TryGetValue(reference.Sha256Hex, out var bytes))
            {
                bytes = await storage.GetAsync(ObjectId.FromBytes(reference.ObjectId()), cancellationToken).ConfigureAwait(TurnContext.IsCurrent);
                if (_code.Count < MaxCachedCodeAssemblies)
                {
                    _code.TryAdd(reference.Sha256Hex, bytes);
                }
            }

            code.Add(new SymphonyCodeAssembly(reference, bytes));
            carried.Add(reference.Sha256Hex);
        }

        entry.CodeCarried = carried;
        return new SymphonyTaskEnvelope(serializer, function, arguments, code, SymphonyEnvelopeFlags.ResolvesCodeByHash).Encode();
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

    /// <summary>A failure the backend reports, in the format of the task's client (a pickled exception for a Python client).</summary>
    private static ReadOnlyMemory<byte> ErrorPayload(InFlightTask entry, RemoteError error) =>
        entry.Language == TaskLanguage.Python ? PythonSoamContract.Failure(error.Message) : error.ToBytes();

    private void Send(InFlightTask entry)
    {
        OpenSession? session;
        byte[] input;
        lock (_gate)
        {
            if (entry.State == InFlightState.Done || _disposed)
            {
                return;
            }

            session = _session;
            if (session is null)
            {
                entry.State = InFlightState.WaitingForSession;
                _waiting.Add(entry);
                return;
            }

            if (_sent >= _options.MaxTaskConcurrency)
            {
                entry.State = InFlightState.Ready;
                _ready.Add(entry);
                return;
            }

            _sent++;
            entry.State = InFlightState.Sent;

            // Taken here: a cancel that comes before the call below drops the entry's envelope.
            input = entry.Input!;
        }

        if (session.SubmitMayBlock && TurnContext.InTurn)
        {
            // Inside a transport turn, on the thread that serves the process's sockets (the agent's loop submitted a
            // task whose envelope could be built at once, its objects all cached; or a preparation resumed in a turn):
            // a call that may block on the network is made from the pool, where the agent's loop made it before turns
            // (decision 24). The local engine's is made here: sending it to the pool
            // cost the Symphony path a third of its tiny tasks/s (8,000-9,900 against 12,300-13,000).
            ThreadPool.UnsafeQueueUserWorkItem(
                static state => state.Backend.SubmitFromPool(state.Session, state.Entry, state.Input),
                (Backend: this, Session: session, Entry: entry, Input: input),
                preferLocal: false);
            return;
        }

        SubmitToSoam(session, entry, input);
    }

    private void SubmitFromPool(OpenSession session, InFlightTask entry, byte[] input)
    {
        lock (_gate)
        {
            if (entry.State == InFlightState.Done)
            {
                // Cancelled or failed while queued (its slot was released then): nothing to run.
                return;
            }
        }

        SubmitToSoam(session, entry, input);
    }

    private void SubmitToSoam(OpenSession session, InFlightTask entry, byte[] input)
    {
        try
        {
            entry.SoamTaskId = session.Session.Submit(input, completion => OnCompleted(session, entry, completion));
        }
        catch (Exception e) when (e is SoamException or ObjectDisposedException)
        {
            OnSessionLost(session, [entry], e.Message);
        }
    }

    private void OnCompleted(OpenSession session, InFlightTask entry, SoamTaskCompletion completion)
    {
        if (!completion.IsSuccessful)
        {
            // Whether the task failed or its session did is known only once the observer sees the callback.
            session.Observer.Park(entry, completion);
            return;
        }

        if (entry.Language == TaskLanguage.Python)
        {
            var (type, resultObject) = PythonSoamContract.ReadOutput(completion.Output, entry.ReferenceDefaultSerializer, completion.TaskId);
            Complete(entry, type, resultObject);
            return;
        }

        SymphonyTaskResult result;
        try
        {
            result = SymphonyTaskResult.Decode(completion.Output);
        }
#pragma warning disable CA1031 // an output that is not a Scaler task result fails that task with the reason
        catch (Exception e)
#pragma warning restore CA1031
        {
            var error = new RemoteError(
                typeof(InvalidDataException).FullName!,
                $"Symphony task {completion.TaskId} returned an output that is not a Scaler task result: {e.Message}",
                string.Empty);
            Complete(entry, TaskResultType.Failed, ErrorPayload(entry, error));
            return;
        }

        // Layout 2 says the instance resolves code by hash. An instance of an older service package answers layout 1
        // and cannot say "code missing": its failure of a task that omitted code may be just that, so the task is
        // resent once with its bytes, and code is sent with every task until a layout-2 answer comes again.
        _options.CodeLedger.ObserveResultLayout(result.Version);
        if (result.Version < 2 && result.Kind == SymphonyTaskResultKind.Failed && entry.OmittedCode && !entry.IncludeAllCode)
        {
            ResendWithCode(entry, completion, "an instance older than result layout 2 failed a task that omitted code bytes");
            return;
        }

        switch (result.Kind)
        {
            case SymphonyTaskResultKind.CodeMissing:
                OnCodeMissing(entry, completion, result);
                return;
            case SymphonyTaskResultKind.Success:
                _options.CodeLedger.Ran(entry.CodeCarried);
                Complete(entry, TaskResultType.Success, result.Payload);
                return;
            default:
                Complete(entry, TaskResultType.Failed, result.Payload);
                return;
        }
    }

    /// <summary>
    /// The service instance that ran the task lacks code the envelope named by hash only (a new or restarted
    /// instance): the task is built again with every code assembly's bytes and sent again. The hashes stay "at the
    /// service" for later tasks: other instances have them, and this one caches them from the resend when it gets it.
    /// A task that carried all its code and still gets this answer fails: resending could only loop.
    /// </summary>
    private void OnCodeMissing(InFlightTask entry, SoamTaskCompletion completion, SymphonyTaskResult result)
    {
        Interlocked.Increment(ref _codeMissingAnswers);
        var missing = string.Join(", ", result.ReadMissingCode());
        if (entry.IncludeAllCode)
        {
            var error = new RemoteError(
                typeof(InvalidDataException).FullName!,
                $"the Symphony service answered code-missing ({missing}) for SOAM task {completion.TaskId}, which carried the bytes of every code assembly",
                string.Empty);
            Complete(entry, TaskResultType.Failed, ErrorPayload(entry, error));
            return;
        }

        ResendWithCode(entry, completion, "the service lacks code " + missing);
    }

    /// <summary>Builds the task again with the bytes of every code assembly it needs and sends it again (once).</summary>
    private void ResendWithCode(InFlightTask entry, SoamTaskCompletion completion, string why)
    {
        lock (_gate)
        {
            if (entry.State == InFlightState.Done)
            {
                return;
            }

            ReleaseSlotLocked(entry);
            entry.State = InFlightState.Preparing;
            entry.IncludeAllCode = true;
            SetInputLocked(entry, null);
        }

        LogResendWithCode(_logger, entry.Key, completion.TaskId, why);
        _ = Task.Run(() => PrepareAndSendAsync(entry), CancellationToken.None);
        PumpReady();
    }

    private void OnTaskFailedInSymphony(OpenSession session, InFlightTask entry, SoamTaskCompletion completion)
    {
        var soam = completion.Error;
        var embedded = soam?.EmbeddedException;
        var detail = embedded is null ? soam?.Message : $"{soam?.Message} ({embedded.GetType().Name}: {embedded.Message})";
        var error = new RemoteError(
            (embedded ?? (Exception?)soam)?.GetType().FullName ?? typeof(SoamException).FullName!,
            $"IBM Spectrum Symphony failed the task (SOAM task {completion.TaskId} in session {session.Session.SessionId}, "
                + $"application {_options.ApplicationName}): {detail}",
            embedded?.StackTrace ?? soam?.StackTrace ?? string.Empty);
        LogTaskFailedInSymphony(_logger, entry.Key, completion.TaskId, detail ?? "no reason given");
        Complete(entry, TaskResultType.Failed, ErrorPayload(entry, error));
    }

    /// <summary>
    /// The task is over: its Symphony slot is freed and the next tasks are sent at once; then its result waits in the
    /// batch of finished tasks (<see cref="CompletionBatcher{T}"/>), to be stored and reported with the others.
    /// </summary>
    private void Complete(InFlightTask entry, TaskResultType type, ReadOnlyMemory<byte> payload)
    {
        List<InFlightTask>? start;
        bool moreExpected;
        lock (_gate)
        {
            if (entry.State == InFlightState.Done || !_tasks.Remove(entry.Key))
            {
                return;
            }

            ReleaseSlotLocked(entry);
            entry.State = InFlightState.Done;
            SetInputLocked(entry, null);
            start = TakePreparableLocked();
            moreExpected = _tasks.Count > 0;
        }

        StartPreparing(start);
        PumpReady();
        _sink?.CapacityAvailable();
        _finished?.Add(new FinishedTask(entry.Task, type, payload), moreExpected);
    }

    /// <summary>
    /// Stores a batch of results and reports each once its set is answered. The sets are issued inside one transport
    /// turn, so they leave in one write and object storage answers them in one; a set that fails hands its bytes to
    /// the agent to store on its own connection: never a lost result.
    /// </summary>
    private void StoreAndReport(List<FinishedTask> batch)
    {
        var storage = _storage!;
        var stores = new Task[batch.Count];
        var opened = TurnContext.Begin();
        try
        {
            for (var i = 0; i < batch.Count; i++)
            {
                stores[i] = storage.SetAsync(batch[i].ResultObject, batch[i].Payload, CancellationToken.None);
            }
        }
        finally
        {
            TurnContext.End(opened);
        }

        _ = ReportAsync(batch, stores);
    }

    private async Task ReportAsync(List<FinishedTask> batch, Task[] stores)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var finished = batch[i];
            try
            {
                await stores[i].ConfigureAwait(false);
                _sink?.TaskCompleted(TaskCompletion.Stored(finished.Task.TaskId, finished.Type, finished.ResultObject));
            }
#pragma warning disable CA1031 // the agent stores the result itself, on its own connection, and reports what happens
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogStoreFailed(_logger, Convert.ToHexString(finished.Task.TaskId), e.Message);
                _sink?.TaskCompleted(TaskCompletion.WithPayload(finished.Task.TaskId, finished.Type, finished.Payload));
            }
        }
    }

    private void ReleaseSlotLocked(InFlightTask entry)
    {
        if (entry.State == InFlightState.Sent)
        {
            _sent--;
        }
    }

    /// <summary>Sends ready tasks while a session is open and a Symphony slot is free.</summary>
    private void PumpReady()
    {
        while (true)
        {
            InFlightTask next;
            lock (_gate)
            {
                if (_ready.Count == 0 || _session is null || _disposed || _sent >= _options.MaxTaskConcurrency)
                {
                    return;
                }

                next = _ready[0];
                _ready.RemoveAt(0);
            }

            Send(next);
        }
    }

    /// <summary>The session failed: its tasks wait for a new one (or fail after too many losses); reopen once.</summary>
    private void OnSessionLost(OpenSession session, IReadOnlyList<InFlightTask> lost, string reason)
    {
        if (lost.Count == 0 && !ReferenceEquals(Volatile.Read(ref _session), session))
        {
            return;
        }

        List<InFlightTask> exhausted = [];
        List<InFlightTask> sendNow = [];
        var waiting = 0;
        var reopen = false;
        lock (_gate)
        {
            foreach (var entry in lost)
            {
                if (entry.State == InFlightState.Done)
                {
                    continue;
                }

                ReleaseSlotLocked(entry);
                entry.SessionLosses++;
                entry.State = InFlightState.WaitingForSession;
                if (entry.SessionLosses > _options.MaxSessionLossesPerTask)
                {
                    exhausted.Add(entry);
                    continue;
                }

                _waiting.Add(entry);
                waiting++;
            }

            if (ReferenceEquals(_session, session))
            {
                _session = null;
            }

            if (!_disposed && !_opening && _session is null)
            {
                _opening = true;
                reopen = true;
            }

            if (reopen)
            {
                // Never close a session on the backend's callback thread: the reopen loop closes it first.
                _opener = Task.Run(() => OpenLoopAsync(session), CancellationToken.None);
            }
            else if (_session is not null)
            {
                // A newer session is already open (this loss was reported late): send them there now.
                sendNow.AddRange(_waiting);
                _waiting.Clear();
            }
        }

        foreach (var entry in sendNow)
        {
            Send(entry);
        }

        PumpReady();

        LogSessionLost(_logger, session.Session.SessionId, reason, waiting, exhausted.Count);
        foreach (var entry in exhausted)
        {
            var error = new RemoteError(
                typeof(SoamException).FullName!,
                $"the task's IBM Spectrum Symphony session was lost {entry.SessionLosses} times (last: session "
                    + $"{session.Session.SessionId}: {reason}); giving up",
                string.Empty);
            Complete(entry, TaskResultType.Failed, ErrorPayload(entry, error));
        }
    }

    private async Task OpenLoopAsync(OpenSession? previous)
    {
        if (previous is not null)
        {
            CloseQuietly(previous);
            var parked = previous.Observer.TakeParked();
            if (parked.Count > 0)
            {
                OnSessionLost(previous, parked, "closed after a loss");
            }
        }

        var delay = TimeSpan.FromMilliseconds(250);
        while (!_stopping.IsCancellationRequested)
        {
            OpenSession? opened = null;
            try
            {
                opened = Open();
            }
            catch (SoamException e)
            {
                LogOpenFailed(_logger, _options.ApplicationName, e.Message, delay.TotalSeconds);
            }

            if (opened is not null)
            {
                List<InFlightTask> resend;
                lock (_gate)
                {
                    _opening = false;
                    if (_disposed)
                    {
                        resend = [];
                    }
                    else
                    {
                        _session = opened;
                        resend = [.. _waiting];
                        _waiting.Clear();
                    }
                }

                if (_stopping.IsCancellationRequested)
                {
                    CloseQuietly(opened);
                    return;
                }

                var count = Interlocked.Increment(ref _sessionsOpened);
                LogSessionOpened(_logger, opened.Session.SessionId, _options.SessionName, opened.Session.BackendName, count, resend.Count);
                foreach (var entry in resend)
                {
                    Send(entry);
                }

                PumpReady();

                _sink?.CapacityAvailable();
                return;
            }

            try
            {
                await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReopenDelay.Ticks));
        }
    }

    private OpenSession Open()
    {
        OpenSession? opened = null;
        var observer = new SoamSessionObserver(
            (entry, completion) => OnTaskFailedInSymphony(opened!, entry, completion),
            (lost, exception) => OnSessionLost(opened!, lost, exception.Message));
        var session = SoamTaskSession.Open(
            new ObservedSoamApi(_api, observer),
            new SoamTaskSessionOptions(_options.ApplicationName)
            {
                SessionType = _options.SessionType,
                SessionName = _options.SessionName,
            },
            _loggerFactory.CreateLogger<SoamTaskSession>());
        opened = new OpenSession(session, observer);
        return opened;
    }

    private void CloseQuietly(OpenSession session)
    {
        try
        {
            session.Session.Dispose();
        }
#pragma warning disable CA1031 // closing a failed session may fail too; the next one is what matters
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogCloseFailed(_logger, e.Message);
        }
    }

    /// <summary>A finished task's result, waiting in its batch to be stored and reported.</summary>
    private sealed record FinishedTask(TaskMessage Task, TaskResultType Type, ReadOnlyMemory<byte> Payload)
    {
        public ObjectId ResultObject { get; } =
            ObjectId.ForTaskOutcome(ObjectOwner.FromClientIdentity(Task.Source), Task.TaskId, Type == TaskResultType.Success);
    }

    private sealed record OpenSession(SoamTaskSession Session, SoamSessionObserver Observer)
    {
        /// <summary>
        /// Whether sending a task into this session may block on the network: IBM's API talks to the session manager;
        /// the local engine only writes to an idle instance's pipe (and starts an instance when it has too few).
        /// </summary>
        public bool SubmitMayBlock { get; } = Session.BackendName != LocalSoamApi.Name;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SOAM session {SessionId} ({SessionName}) open on backend {Backend} (session #{Count}); sending {Resend} waiting task(s)")]
    private static partial void LogSessionOpened(ILogger logger, string sessionId, string sessionName, string backend, int count, int resend);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot open a SOAM session to application {Application}: {Reason}; retrying in {Seconds} s (tasks are held until it opens)")]
    private static partial void LogOpenFailed(ILogger logger, string application, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SOAM session {SessionId} lost: {Reason}; {Waiting} task(s) will be sent again in a new session, {Exhausted} failed after too many losses")]
    private static partial void LogSessionLost(ILogger logger, string sessionId, string reason, int waiting, int exhausted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "closing a SOAM session failed: {Reason}")]
    private static partial void LogCloseFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "task {TaskId} failed in Symphony (SOAM task {SoamTaskId}): {Reason}")]
    private static partial void LogTaskFailedInSymphony(ILogger logger, string taskId, string soamTaskId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId} could not be prepared for Symphony: {Reason}")]
    private static partial void LogPrepareFailed(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "task {TaskId} (SOAM task {SoamTaskId}): {Why}; sending it again with the code bytes")]
    private static partial void LogResendWithCode(ILogger logger, string taskId, string soamTaskId, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId}: storing its result failed ({Reason}); the worker agent stores it")]
    private static partial void LogStoreFailed(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "task {TaskId} cancelled before it was sent to Symphony")]
    private static partial void LogCancelledBeforeSend(ILogger logger, string taskId);
}
