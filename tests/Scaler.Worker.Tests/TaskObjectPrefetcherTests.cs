using Scaler.Identity;
using Scaler.Protocol.Messages;
using Scaler.Worker.Processors;

namespace Scaler.Worker.Tests;

public sealed class TaskObjectPrefetcherTests
{
    private static readonly byte[] Source = "Client|prefetch"u8.ToArray();
    private static readonly ObjectOwner Owner = ObjectOwner.FromClientIdentity(Source);

    [Fact]
    public async Task Take_AfterPrefetch_HandsOverThePrefetchedArgument_WithoutFetchingAgain()
    {
        var storage = new CountingStorage();
        var prefetcher = new TaskObjectPrefetcher(storage.Fetch);
        var task = NewTask(out var argument);

        prefetcher.Prefetch(task, CancellationToken.None);
        Assert.Equal(1, storage.Count(argument));
        Assert.Equal(1, prefetcher.PrefetchedArgumentCount);

        var objects = prefetcher.Take(task, CancellationToken.None);

        Assert.Equal(argument.ToBytes(), (await objects.Arguments[0]).ToArray());
        Assert.Equal(1, storage.Count(argument));
        Assert.Equal(0, prefetcher.PrefetchedArgumentCount);
    }

    [Fact]
    public async Task Take_WithoutPrefetch_FetchesArguments_AndSharedObjectsOnlyOncePerId()
    {
        var storage = new CountingStorage();
        var prefetcher = new TaskObjectPrefetcher(storage.Fetch);
        var function = ObjectId.NewUnique(Owner);

        for (var i = 0; i < 3; i++)
        {
            var task = NewTask(out var argument, function);
            var objects = prefetcher.Take(task, CancellationToken.None);
            Assert.Equal(function.ToBytes(), (await objects.Function).ToArray());
            Assert.Equal(ObjectId.ForSerializer(Owner).ToBytes(), (await objects.Serializer).ToArray());
            Assert.Equal(1, storage.Count(argument));
        }

        Assert.Equal(1, storage.Count(function));
        Assert.Equal(1, storage.Count(ObjectId.ForSerializer(Owner)));
        Assert.Equal(2, prefetcher.SharedCount);
    }

    [Fact]
    public async Task FailedFetches_AreNotHandedOverTwice()
    {
        var storage = new CountingStorage { FailFirst = true };
        var prefetcher = new TaskObjectPrefetcher(storage.Fetch);
        var task = NewTask(out var argument);

        prefetcher.Prefetch(task, CancellationToken.None);
        var objects = prefetcher.Take(task, CancellationToken.None);

        Assert.Equal(argument.ToBytes(), (await objects.Arguments[0]).ToArray());
        Assert.Equal(2, storage.Count(argument));
    }

    [Fact]
    public void Prefetches_ForTasksThatNeverStart_AreBoundedByCapacity()
    {
        var storage = new CountingStorage();
        var prefetcher = new TaskObjectPrefetcher(storage.Fetch);

        for (var i = 0; i < 3 * TaskObjectPrefetcher.ArgumentCapacity; i++)
        {
            prefetcher.Prefetch(NewTask(out _), CancellationToken.None);
        }

        Assert.Equal(TaskObjectPrefetcher.ArgumentCapacity, prefetcher.PrefetchedArgumentCount);
    }

    [Fact]
    public async Task PrefetchedArguments_BeyondTheByteCapacity_AreDropped_AndFetchedAgainWhenTheirTaskStarts()
    {
        // Every object's content is its 32-byte ID: a capacity of 40 bytes holds one prefetched argument, not two.
        var storage = new CountingStorage();
        var prefetcher = new TaskObjectPrefetcher(storage.Fetch, argumentByteCapacity: 40);
        var first = NewTask(out var firstArgument);
        var second = NewTask(out var secondArgument);

        prefetcher.Prefetch(first, CancellationToken.None);
        prefetcher.Prefetch(second, CancellationToken.None);
        await WaitUntilAsync(() => prefetcher.PrefetchedArgumentCount == 1);

        Assert.Equal(32, prefetcher.PrefetchedBytes);
        Assert.Equal(secondArgument.ToBytes(), (await prefetcher.Take(second, CancellationToken.None).Arguments[0]).ToArray());
        Assert.Equal(firstArgument.ToBytes(), (await prefetcher.Take(first, CancellationToken.None).Arguments[0]).ToArray());
        Assert.Equal(1, storage.Count(firstArgument));
        Assert.Equal(2, storage.Count(secondArgument));
        Assert.Equal(0, prefetcher.PrefetchedBytes);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    [Fact]
    public void MalformedObjectId_IsAnArgumentException()
    {
        var prefetcher = new TaskObjectPrefetcher(new CountingStorage().Fetch);
        var task = new TaskMessage { TaskId = [1], Source = Source, FuncObjectId = [1, 2, 3] };

        Assert.ThrowsAny<ArgumentException>(() => prefetcher.Prefetch(task, CancellationToken.None));
        Assert.ThrowsAny<ArgumentException>(() => prefetcher.Take(task, CancellationToken.None));
    }

    private static TaskMessage NewTask(out ObjectId argument, ObjectId? function = null)
    {
        argument = ObjectId.NewUnique(Owner);
        return new TaskMessage
        {
            TaskId = Guid.NewGuid().ToByteArray(),
            Source = Source,
            FuncObjectId = (function ?? ObjectId.NewUnique(Owner)).ToBytes(),
            FunctionArgs = [new TaskMessage.Argument { Type = ArgumentType.ObjectID, Data = argument.ToBytes() }],
        };
    }

    /// <summary>Object storage in a dictionary: every object's content is its own ID; counts fetches per ID.</summary>
    private sealed class CountingStorage
    {
        private readonly Dictionary<ObjectId, int> _counts = [];

        public bool FailFirst { get; set; }

        public int Count(ObjectId id) => _counts.GetValueOrDefault(id);

        public Task<ReadOnlyMemory<byte>> Fetch(ObjectId id, CancellationToken cancellationToken)
        {
            _counts[id] = Count(id) + 1;
            if (FailFirst && _counts[id] == 1)
            {
                return Task.FromException<ReadOnlyMemory<byte>>(new IOException("object storage lost"));
            }

            return Task.FromResult<ReadOnlyMemory<byte>>(id.ToBytes());
        }
    }
}
