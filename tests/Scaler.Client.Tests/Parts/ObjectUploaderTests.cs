using Microsoft.Extensions.Logging.Abstractions;
using Scaler.ClientTests.Support;
using Scaler.Functions;
using Scaler.Identity;
using Scaler.Internal;

namespace Scaler.ClientTests.Parts;

/// <summary><see cref="ObjectUploader"/> against an in-memory store.</summary>
public sealed class ObjectUploaderTests : IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private readonly FakeObjectStore _store = new();
    private readonly SubmissionBuilder _builder = new(ClientIdentity.CreateNew());
    private readonly List<(IReadOnlyList<Submission> Submissions, Exception Error, int StoresInFlight)> _failures = [];
    private readonly ObjectUploader _uploader;

    public ObjectUploaderTests() =>
        _uploader = new ObjectUploader(_store, NullLogger.Instance, (submissions, error) => _failures.Add((submissions, error, _uploader!.StoresInFlight)));

    public void Dispose() => _timeout.Dispose();

    [Fact]
    public async Task StoreAsync_Batch_StoresEveryObjectAndTheCodeFilesAndCountsThem()
    {
        var function = ShippableFunction.Capture(RemoteFunctions.Add);
        var first = Build(function, 1, 2);
        var second = Build(function, 3, 2); // one new argument; function and code are the first's

        Assert.True(await _uploader.StoreAsync([first, second], _timeout.Token).WaitAsync(_timeout.Token));

        foreach (var upload in first.Uploads.Concat(second.Uploads))
        {
            Assert.Equal(upload.Content.ToArray(), _store.Stored(upload.Id));
        }

        foreach (var assembly in first.Code)
        {
            Assert.Equal(File.ReadAllBytes(assembly.Path), _store.Stored(ObjectId.FromBytes(assembly.Reference.ObjectId())));
        }

        Assert.Equal(4, _uploader.ObjectUploads);
        Assert.Equal(first.Code.Count, _uploader.CodeUploads);
        Assert.Equal(0, _uploader.StoresInFlight);
        Assert.Empty(_failures);
    }

    [Fact]
    public async Task StoreAsync_WhileSetsWait_CountsThemInFlight()
    {
        var release = new TaskCompletionSource();
        _store.HoldSets = release.Task;
        var submission = Build(ShippableFunction.Capture(RemoteFunctions.Square), 6);
        var expected = submission.Uploads.Count + submission.Code.Count;

        var store = _uploader.StoreAsync([submission], _timeout.Token);

        Assert.Equal(expected, _uploader.StoresInFlight);
        Assert.False(store.IsCompleted);
        release.SetResult();
        Assert.True(await store.WaitAsync(_timeout.Token));
        Assert.Equal(0, _uploader.StoresInFlight);
    }

    [Fact]
    public async Task StoreAsync_OneSetFails_HandsTheWholeBatchToTheFailureHandlerOnceBeforeItEnds()
    {
        var function = ShippableFunction.Capture(RemoteFunctions.Add);
        var first = Build(function, 10, 11);
        var second = Build(function, 12, 13);
        var refused = second.Uploads[0].Id;
        _store.FailSet = id => id == refused ? new IOException("store full") : null;

        Assert.False(await _uploader.StoreAsync([first, second], _timeout.Token).WaitAsync(_timeout.Token));

        var failure = Assert.Single(_failures);
        Assert.Equal([first, second], failure.Submissions);
        Assert.Equal("store full", failure.Error.Message);
        Assert.True(failure.StoresInFlight > 0, "the handler runs before the batch's stores are counted done");
        Assert.Equal(0, _uploader.StoresInFlight);
    }

    [Fact]
    public async Task StoreAsync_RefusedByAuthorization_IsAFailedBatchToo()
    {
        var submission = Build(ShippableFunction.Capture(RemoteFunctions.Square), 7);
        _store.FailSet = _ => new UnauthorizedAccessException("not your objects");

        Assert.False(await _uploader.StoreAsync([submission], _timeout.Token).WaitAsync(_timeout.Token));

        Assert.Equal("not your objects", Assert.Single(_failures).Error.Message);
    }

    [Fact]
    public async Task StoreAsync_FailsWhileClosing_ThrowsAndCallsNoHandler()
    {
        var submission = Build(ShippableFunction.Capture(RemoteFunctions.Square), 8);
        using var closing = new CancellationTokenSource();
        await closing.CancelAsync();
        _store.FailSet = _ => new IOException("connection closed");

        await Assert.ThrowsAsync<IOException>(() => _uploader.StoreAsync([submission], closing.Token).WaitAsync(_timeout.Token));

        Assert.Empty(_failures);
        Assert.Equal(0, _uploader.StoresInFlight);
    }

    private Submission Build(ShippableFunction function, params object?[] arguments) =>
        _builder.BuildTask(TaskIds.New(), function, "f", function.Package(arguments), TaskSettings.Default);
}
