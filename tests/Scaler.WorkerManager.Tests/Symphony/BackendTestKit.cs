using System.Collections.Concurrent;
using System.Text;
using Scaler.Functions;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.Protocol.Messages;
using Scaler.Worker.Execution;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>What the tests that drive a <c>SymphonyExecutionBackend</c> directly (without an agent) need.</summary>
internal static class BackendTestKit
{
    /// <summary>Stores the call's objects as a client would and builds its Task message.</summary>
    public static async Task<TaskMessage> CreateTaskAsync(ObjectStorageClient storage, string client, PackagedCall call, CancellationToken cancellationToken)
    {
        var owner = ObjectOwner.FromClientIdentity(Encoding.UTF8.GetBytes(client));
        await storage.SetAsync(ObjectId.ForSerializer(owner), call.SerializerObject, cancellationToken);
        foreach (var code in call.CodeAssemblies)
        {
            await storage.SetAsync(ObjectId.FromBytes(code.Reference.ObjectId()), code.ReadBytes(), cancellationToken);
        }

        var function = ObjectId.NewUnique(owner);
        await storage.SetAsync(function, call.FunctionObject, cancellationToken);
        var arguments = new List<TaskMessage.Argument>();
        foreach (var content in call.ArgumentObjects)
        {
            var id = ObjectId.NewUnique(owner);
            await storage.SetAsync(id, content, cancellationToken);
            arguments.Add(new TaskMessage.Argument { Type = ArgumentType.ObjectID, Data = id.ToBytes() });
        }

        return new TaskMessage
        {
            TaskId = Guid.NewGuid().ToByteArray(),
            Source = Encoding.UTF8.GetBytes(client),
            FuncObjectId = function.ToBytes(),
            FunctionArgs = arguments,
        };
    }

    public static async Task EventuallyAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    public sealed class RecordingSink : ITaskCompletionSink, IDisposable
    {
        private readonly ConcurrentQueue<TaskCompletion> _completions = new();
        private readonly SemaphoreSlim _arrived = new(0);

        public void TaskCompleted(TaskCompletion completion)
        {
            _completions.Enqueue(completion);
            _arrived.Release();
        }

        public void CapacityAvailable()
        {
        }

        public void Dispose() => _arrived.Dispose();

        public async Task<IReadOnlyList<TaskCompletion>> WaitForAsync(int count, CancellationToken cancellationToken)
        {
            for (var i = 0; i < count; i++)
            {
                await _arrived.WaitAsync(cancellationToken);
            }

            return [.. _completions];
        }
    }
}
