using System.Text;
using Scaler.Functions;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.Protocol.Messages;

namespace Scaler.Worker.Tests.Support;

/// <summary>Plays the client: stores a packaged call's objects in object storage and builds the Task message.</summary>
internal sealed class TaskFactory(ObjectStorageClient storage)
{
    private readonly HashSet<ObjectId> _stored = [];

    public string ClientIdentity { get; } = $"Client|{Guid.NewGuid():N}";

    public ObjectOwner Owner => ObjectOwner.FromClientIdentity(Encoding.UTF8.GetBytes(ClientIdentity));

    public async Task<TaskMessage> CreateAsync(PackagedCall call, int priority = 0)
    {
        await StoreOnceAsync(ObjectId.ForSerializer(Owner), call.SerializerObject);
        foreach (var code in call.CodeAssemblies)
        {
            await StoreOnceAsync(ObjectId.FromBytes(code.Reference.ObjectId()), code.ReadBytes());
        }

        var function = ObjectId.NewUnique(Owner);
        await storage.SetAsync(function, call.FunctionObject);
        var arguments = new List<TaskMessage.Argument>();
        foreach (var argument in call.ArgumentObjects)
        {
            var id = ObjectId.NewUnique(Owner);
            await storage.SetAsync(id, argument);
            arguments.Add(new TaskMessage.Argument { Type = ArgumentType.ObjectID, Data = id.ToBytes() });
        }

        return new TaskMessage
        {
            TaskId = Guid.NewGuid().ToByteArray(),
            Source = Encoding.UTF8.GetBytes(ClientIdentity),
            Metadata = new Agent.TaskFlags(true, priority, false).ToBytes(),
            FuncObjectId = function.ToBytes(),
            FunctionArgs = arguments,
        };
    }

    public async Task<object?> ReadResultAsync(PackagedCall call, byte[] resultObjectId)
    {
        var bytes = await storage.GetAsync(ObjectId.FromBytes(resultObjectId));
        return call.Function.Serializer.Deserialize(bytes, call.Function.ResultType);
    }

    public async Task<RemoteError> ReadErrorAsync(byte[] resultObjectId)
    {
        var bytes = await storage.GetAsync(ObjectId.FromBytes(resultObjectId));
        return RemoteError.Read(bytes.Span);
    }

    private async Task StoreOnceAsync(ObjectId id, ReadOnlyMemory<byte> content)
    {
        if (_stored.Add(id))
        {
            await storage.SetAsync(id, content);
        }
    }
}
