using System.Collections.Concurrent;
using System.Text;
using Scaler.Functions;
using Scaler.Identity;
using Scaler.Protocol.Messages;
using Scaler.Symphony.Service;
using Scaler.Worker.Execution;
using Scaler.WorkerManager.Symphony;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>
/// The envelope builder on its own, over an in-memory object store that counts its reads: what each envelope carries,
/// what is read once per client or function rather than once per task, and code the service holds named by hash.
/// </summary>
public sealed class SymphonyEnvelopeBuilderTests
{
    private const string Client = "Client|builder-test";

    [Fact]
    public async Task TasksOfOneFunction_SerializerFunctionAndCodeReadOnce_ArgumentsEachTime()
    {
        var storage = new CountingStorage();
        var builder = new SymphonyEnvelopeBuilder(storage.GetAsync, new ServiceCodeLedger());
        var call = PackagedCall.Create(new Func<int, int>(SymphonyFunctions.Square), 3);
        var first = storage.Store(call);
        var second = storage.StoreNext(first, PackagedCall.Create(new Func<int, int>(SymphonyFunctions.Square), 4));

        var firstEnvelope = SymphonyTaskEnvelope.Decode(await builder.BuildAsync(first, CancellationToken.None));
        var secondEnvelope = SymphonyTaskEnvelope.Decode(await builder.BuildAsync(second, CancellationToken.None));

        Assert.Equal(call.SerializerObject.ToArray(), secondEnvelope.SerializerObject.ToArray());
        Assert.Equal(call.FunctionObject.ToArray(), secondEnvelope.FunctionObject.ToArray());
        Assert.Equal(call.ArgumentObjects[0].ToArray(), firstEnvelope.ArgumentObjects.Single().ToArray());
        Assert.NotEqual(firstEnvelope.ArgumentObjects.Single().ToArray(), secondEnvelope.ArgumentObjects.Single().ToArray());
        Assert.True(secondEnvelope.Flags.HasFlag(SymphonyEnvelopeFlags.ResolvesCodeByHash));

        // No code is known at the service yet: both carry every code assembly's bytes.
        Assert.NotEmpty(call.CodeAssemblies);
        Assert.All(secondEnvelope.CodeAssemblies, c => Assert.True(c.HasBytes));
        Assert.Equal(call.CodeAssemblies.Select(c => c.Reference.Sha256Hex), second.CodeCarried);
        Assert.False(second.OmittedCode);
        Assert.Equal(TaskLanguage.DotNet, second.Language);

        Assert.Equal(1, storage.ReadsOf(ObjectId.ForSerializer(Owner)));
        Assert.Equal(1, storage.ReadsOf(ObjectId.FromBytes(first.Task.FuncObjectId)));
        Assert.All(call.CodeAssemblies, c => Assert.Equal(1, storage.ReadsOf(ObjectId.FromBytes(c.Reference.ObjectId()))));
        Assert.Equal(call.CodeAssemblies.Count, builder.CachedCodeAssemblies);
        Assert.Equal(1, storage.ReadsOf(ObjectId.FromBytes(first.Task.FunctionArgs[0].Data)));
        Assert.Equal(1, storage.ReadsOf(ObjectId.FromBytes(second.Task.FunctionArgs[0].Data)));
    }

    [Fact]
    public async Task CodeTheServiceHolds_IsNamedByHashOnly_UnlessTheTaskMustCarryIt()
    {
        var storage = new CountingStorage();
        var ledger = new ServiceCodeLedger();
        var call = PackagedCall.Create(new Func<int, int>(SymphonyFunctions.Identity), 5);
        ledger.ObserveResultLayout(2);
        ledger.Ran(call.CodeAssemblies.Select(c => c.Reference.Sha256Hex));
        var builder = new SymphonyEnvelopeBuilder(storage.GetAsync, ledger);
        var task = storage.Store(call);

        var byHash = SymphonyTaskEnvelope.Decode(await builder.BuildAsync(task, CancellationToken.None));

        Assert.Equal(call.CodeAssemblies.Select(c => c.Reference.Sha256Hex), byHash.CodeAssemblies.Select(c => c.Reference.Sha256Hex));
        Assert.All(byHash.CodeAssemblies, c => Assert.False(c.HasBytes));
        Assert.True(task.OmittedCode);
        Assert.Empty(task.CodeCarried);
        Assert.All(call.CodeAssemblies, c => Assert.Equal(0, storage.ReadsOf(ObjectId.FromBytes(c.Reference.ObjectId()))));

        // The service answered code-missing for it: the task is built again with every byte.
        task.IncludeAllCode = true;
        var withBytes = SymphonyTaskEnvelope.Decode(await builder.BuildAsync(task, CancellationToken.None));

        Assert.All(withBytes.CodeAssemblies, c => Assert.True(c.HasBytes));
        Assert.Equal(
            call.CodeAssemblies.Select(c => c.ReadBytes().ToArray()),
            withBytes.CodeAssemblies.Select(c => c.Bytes.ToArray()));
        Assert.False(task.OmittedCode);
        Assert.Equal(call.CodeAssemblies.Select(c => c.Reference.Sha256Hex), task.CodeCarried);
    }

    [Fact]
    public async Task ServiceOlderThanLayoutTwo_GetsEveryCodeByte_EvenOfCodeItRan()
    {
        var storage = new CountingStorage();
        var ledger = new ServiceCodeLedger();
        var call = PackagedCall.Create(new Func<int, int>(SymphonyFunctions.Identity), 6);
        ledger.Ran(call.CodeAssemblies.Select(c => c.Reference.Sha256Hex));
        ledger.ObserveResultLayout(1);
        var builder = new SymphonyEnvelopeBuilder(storage.GetAsync, ledger);
        var task = storage.Store(call);

        var envelope = SymphonyTaskEnvelope.Decode(await builder.BuildAsync(task, CancellationToken.None));

        Assert.All(envelope.CodeAssemblies, c => Assert.True(c.HasBytes));
        Assert.False(task.OmittedCode);
    }

    [Fact]
    public async Task FunctionObjectOfAnotherKind_FailsTheBuildWithTheReason()
    {
        var storage = new CountingStorage();
        var builder = new SymphonyEnvelopeBuilder(storage.GetAsync, new ServiceCodeLedger());
        var task = storage.Store(PackagedCall.Create(new Func<int, int>(SymphonyFunctions.Square), 3));
        storage.Replace(ObjectId.FromBytes(task.Task.FuncObjectId), "not a function object"u8.ToArray());

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => builder.BuildAsync(task, CancellationToken.None));

        Assert.Contains("not a Scaler.NET function object", error.Message, StringComparison.Ordinal);
    }

    private static ObjectOwner Owner => ObjectOwner.FromClientIdentity(Encoding.UTF8.GetBytes(Client));

    /// <summary>Objects as a client stored them, read through <see cref="GetAsync"/>, which counts reads by ID.</summary>
    private sealed class CountingStorage
    {
        private readonly ConcurrentDictionary<ObjectId, ReadOnlyMemory<byte>> _objects = new();
        private readonly ConcurrentDictionary<ObjectId, int> _reads = new();

        public Task<ReadOnlyMemory<byte>> GetAsync(ObjectId id, CancellationToken cancellationToken)
        {
            _reads.AddOrUpdate(id, 1, (_, n) => n + 1);
            return _objects.TryGetValue(id, out var content)
                ? Task.FromResult(content)
                : Task.FromException<ReadOnlyMemory<byte>>(new InvalidOperationException($"object {id} is not stored"));
        }

        public int ReadsOf(ObjectId id) => _reads.GetValueOrDefault(id);

        public void Replace(ObjectId id, ReadOnlyMemory<byte> content) => _objects[id] = content;

        /// <summary>Stores every object of the call and returns its task.</summary>
        public InFlightTask Store(PackagedCall call)
        {
            _objects[ObjectId.ForSerializer(Owner)] = call.SerializerObject;
            foreach (var code in call.CodeAssemblies)
            {
                _objects[ObjectId.FromBytes(code.Reference.ObjectId())] = code.ReadBytes();
            }

            var function = ObjectId.NewUnique(Owner);
            _objects[function] = call.FunctionObject;
            return Held(function, call);
        }

        /// <summary>Another task of the same function: only its arguments are stored.</summary>
        public InFlightTask StoreNext(InFlightTask previous, PackagedCall call) => Held(ObjectId.FromBytes(previous.Task.FuncObjectId), call);

        private InFlightTask Held(ObjectId function, PackagedCall call)
        {
            var arguments = new List<TaskMessage.Argument>();
            foreach (var content in call.ArgumentObjects)
            {
                var id = ObjectId.NewUnique(Owner);
                _objects[id] = content;
                arguments.Add(new TaskMessage.Argument { Type = ArgumentType.ObjectID, Data = id.ToBytes() });
            }

            var message = new TaskMessage
            {
                TaskId = Guid.NewGuid().ToByteArray(),
                Source = Encoding.UTF8.GetBytes(Client),
                FuncObjectId = function.ToBytes(),
                FunctionArgs = arguments,
            };
            return new InFlightTask(message, new TaskId(message.TaskId));
        }
    }
}
