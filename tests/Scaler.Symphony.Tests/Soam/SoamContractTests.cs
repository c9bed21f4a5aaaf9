using System.Collections.Concurrent;
using System.Text;
using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Tests.Soam;

/// <summary>
/// What every SOAM backend must do, run against each: the local engine and the IBM adapter over the stand-in.
/// </summary>
public abstract class SoamContractTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    protected const string Application = "ScalerApp";

    private ISoamApi? _api;

    protected ISoamApi Api => _api ??= CreateApi();

    public virtual void Dispose()
    {
        _api?.Dispose();
        GC.SuppressFinalize(this);
    }

    protected abstract ISoamApi CreateApi();

    /// <summary>An input the backend's service answers with <paramref name="text"/>.</summary>
    protected abstract byte[] Echo(string text);

    /// <summary>An input the backend's service fails with a FailureException every time.</summary>
    protected abstract byte[] AlwaysFailing();

    /// <summary>An input that does not finish before the test ends.</summary>
    protected abstract byte[] NeverFinishing();

    protected abstract void Abort(ISoamSession session, string reason);

    [Fact]
    public async Task SendManyTasks_EveryOutputArrivesOnceAndMatchesItsTaskId()
    {
        const int count = 12;
        var calls = new ConcurrentDictionary<string, int>();
        var byId = new Dictionary<string, Task<SoamTaskCompletion>>();
        using (var session = SoamTaskSession.Open(Api, new SoamTaskSessionOptions(Application)))
        {
            for (var i = 0; i < count; i++)
            {
                var completion = new TaskCompletionSource<SoamTaskCompletion>(TaskCreationOptions.RunContinuationsAsynchronously);
                var id = session.Submit(Echo($"value {i}"), c =>
                {
                    calls.AddOrUpdate(c.TaskId, 1, (_, n) => n + 1);
                    completion.TrySetResult(c);
                });
                byId.Add(id, completion.Task);
            }

            await Task.WhenAll(byId.Values).WaitAsync(Bound);
            Assert.Equal(0, session.InFlight);
        }

        Assert.Equal(count, byId.Count);
        var values = new List<string>();
        foreach (var (id, task) in byId)
        {
            var completion = await task;
            Assert.Equal(id, completion.TaskId);
            Assert.True(completion.IsSuccessful, completion.Error?.Message);
            values.Add(Encoding.UTF8.GetString(completion.Output.Span));
            Assert.Equal(1, calls[id]);
        }

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"value {i}").Order(), values.Order());
    }

    [Fact]
    public async Task RawSession_DeliversEveryTaskIdThroughOnResponse()
    {
        Api.Initialize();
        using var connection = Api.Connect(Application, DefaultSecurityCallback.Guest);
        var seen = new ConcurrentDictionary<string, string>();
        var allSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = new HashSet<string>();
        var callback = new SessionCallback();
        callback.OnResponse += output =>
        {
            seen.TryAdd(output.Id, Encoding.UTF8.GetString(output.PopulateTaskOutput().Span));
            if (seen.Count == 4)
            {
                allSeen.TrySetResult();
            }
        };
        var session = connection.CreateSession(new SessionCreationAttributes { SessionCallback = callback });
        for (var i = 0; i < 4; i++)
        {
            Assert.True(sent.Add(session.SendTaskInput(new TaskSubmissionAttributes(Echo($"raw {i}"))).Id));
        }

        await allSeen.Task.WaitAsync(Bound);
        session.Close(SessionCloseFlags.DestroyOnClose);
        connection.Close();
        Api.Uninitialize();

        Assert.Equal(sent.Order(), seen.Keys.Order());
        Assert.Equal(["raw 0", "raw 1", "raw 2", "raw 3"], seen.Values.Order());
        Assert.False(string.IsNullOrEmpty(session.Id));
    }

    [Fact]
    public async Task FailingTask_CompletesUnsuccessfullyWithTheServicesExceptionEmbedded()
    {
        using var session = SoamTaskSession.Open(Api, new SoamTaskSessionOptions(Application));

        var completion = await session.SubmitAsync(AlwaysFailing()).WaitAsync(Bound);

        Assert.False(completion.IsSuccessful);
        Assert.NotNull(completion.Error);
        Assert.IsType<FailureException>(completion.Error.EmbeddedException);
    }

    [Fact]
    public async Task AbortedSession_FailsEveryTaskInFlightThroughOnException()
    {
        var exceptions = 0;
        using var session = SoamTaskSession.Open(Api, new SoamTaskSessionOptions(Application));
        var first = session.SubmitAsync(NeverFinishing());
        var second = session.SubmitAsync(NeverFinishing());

        Abort(GetSession(session), "test abort");
        var completions = await Task.WhenAll(first, second).WaitAsync(Bound);

        foreach (var completion in completions)
        {
            Assert.False(completion.IsSuccessful);
            Assert.Contains("abort", completion.Error!.Message, StringComparison.OrdinalIgnoreCase);
            Interlocked.Increment(ref exceptions);
        }

        Assert.Equal(2, exceptions);
        Assert.Throws<SoamException>(() => session.Submit(Echo("late"), _ => { }));
    }

    [Fact]
    public void UnknownSessionType_IsAnError()
    {
        var error = Assert.Throws<SoamException>(() =>
            SoamTaskSession.Open(Api, new SoamTaskSessionOptions(Application) { SessionType = "NoSuchType" }));

        Assert.Contains("NoSuchType", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownApplication_IsAnError()
    {
        var error = Assert.Throws<SoamException>(() => SoamTaskSession.Open(Api, new SoamTaskSessionOptions("NoSuchApp")));

        Assert.Contains("NoSuchApp", error.Message, StringComparison.Ordinal);
    }

    private static ISoamSession GetSession(SoamTaskSession session) =>
        (ISoamSession)typeof(SoamTaskSession).GetField("_session", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(session)!;
}
