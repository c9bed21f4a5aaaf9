using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.Protocol.Messages;
using Scaler.Worker.Execution;

namespace Scaler.Worker.Agent;

/// <summary>
/// The <see cref="TaskLanguage"/> of each client whose tasks this worker runs, learnt from its serializer object once
/// per client: the fetch starts when the client's first task is dispatched (off the agent's loop), so when the worker
/// has to fail one of its tasks itself (a dead processor, a timeout) it writes the error in the format that client
/// reads. Bounded: after <see cref="Capacity"/> clients it starts over.
/// </summary>
internal sealed class ClientLanguages(TimeProvider time)
{
    internal const int Capacity = 4096;

    /// <summary>How long a failure waits for a fetch still under way; past it the client counts as unknown.</summary>
    internal static readonly TimeSpan FetchBound = TimeSpan.FromSeconds(5);

    private const ulong HeadBytes = 64;

    private readonly Dictionary<string, Task<TaskLanguage>> _bySource = new(StringComparer.Ordinal);
    private byte[] _lastSource = [];

    /// <summary>Starts learning the language of <paramref name="task"/>'s client, unless it is known or being learnt.</summary>
    public void Observe(TaskMessage task, ObjectStorageClient storage)
    {
        // Almost every task comes from the client of the task before it: one comparison, no allocation.
        if (task.Source.AsSpan().SequenceEqual(_lastSource))
        {
            return;
        }

        _lastSource = task.Source;
        var key = Convert.ToHexString(task.Source);
        if (_bySource.ContainsKey(key))
        {
            return;
        }

        if (_bySource.Count >= Capacity)
        {
            _bySource.Clear();
        }

        _bySource[key] = FetchAsync(task.Source, storage);
    }

    /// <summary>The language of <paramref name="task"/>'s client, waiting at most <see cref="FetchBound"/> for a fetch under way.</summary>
    public async ValueTask<TaskLanguage> OfAsync(TaskMessage task, ObjectStorageClient? storage)
    {
        if (!_bySource.TryGetValue(Convert.ToHexString(task.Source), out var learning))
        {
            if (storage is null)
            {
                return TaskLanguage.Unknown;
            }

            _lastSource = [];
            Observe(task, storage);
            learning = _bySource[Convert.ToHexString(task.Source)];
        }

        try
        {
            return await learning.WaitAsync(FetchBound, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return TaskLanguage.Unknown;
        }
    }

    private static async Task<TaskLanguage> FetchAsync(byte[] source, ObjectStorageClient storage)
    {
        try
        {
            // The first bytes tell the language; a client cannot make the worker read a large object this way.
            var serializer = await storage.GetAsync(ObjectId.ForSerializer(ObjectOwner.FromClientIdentity(source)), HeadBytes, CancellationToken.None)
                .ConfigureAwait(false);
            return TaskLanguages.Detect(serializer.Span);
        }
#pragma warning disable CA1031 // a client whose serializer cannot be read is of unknown language; nothing else depends on it
        catch (Exception)
#pragma warning restore CA1031
        {
            return TaskLanguage.Unknown;
        }
    }
}
