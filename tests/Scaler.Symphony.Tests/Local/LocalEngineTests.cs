using System.Collections.Concurrent;
using System.Text;
using Scaler.Symphony.Local;
using Scaler.Symphony.Soam;
using Scaler.Symphony.Tests.Support;

namespace Scaler.Symphony.Tests.Local;

/// <summary>Symphony's failure behaviour and the concurrency bound, with real instance processes.</summary>
public sealed class LocalEngineTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _temp = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new();
    private LocalSoamApi? _api;
    private SoamTaskSession? _session;

    public void Dispose()
    {
        _session?.Dispose();
        _api?.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task InstanceCrashingMidTask_IsReplacedAndTheTaskRetriedUntilItSucceeds()
    {
        var session = Open(TestProfiles.Scripted(maxInstances: 1, taskRetryLimit: 1));

        var completion = await session.SubmitAsync(ScriptedService.Command($"crash-once:{_temp.File("m")}:survived")).WaitAsync(Bound);

        Assert.True(completion.IsSuccessful, completion.Error?.Message);
        Assert.Equal("survived", Encoding.UTF8.GetString(completion.Output.Span));
        Assert.Equal(2, _attempts[completion.TaskId]);
        Assert.Equal(2, Engine.InstancesStarted);
    }

    [Fact]
    public async Task InstanceCrashingEveryTime_FailsTheTaskAfterTheRetryLimitWithoutAnEmbeddedException()
    {
        var session = Open(TestProfiles.Scripted(maxInstances: 1, taskRetryLimit: 2));

        var completion = await session.SubmitAsync(ScriptedService.Command("crash")).WaitAsync(Bound);

        Assert.False(completion.IsSuccessful);
        Assert.Equal(3, _attempts[completion.TaskId]);
        Assert.Null(completion.Error!.EmbeddedException);
        Assert.Contains("exited with code 71", completion.Error.Message, StringComparison.Ordinal);
        Assert.Contains("taskRetryLimit 2", completion.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KilledInstance_IsReplacedAndTheTaskRetried()
    {
        var session = Open(TestProfiles.Scripted(maxInstances: 1, taskRetryLimit: 1));
        var started = new TaskCompletionSource<(string Session, string Task)>(TaskCreationOptions.RunContinuationsAsynchronously);
        Engine.TaskStarted += (s, t, attempt) =>
        {
            if (attempt == 1)
            {
                started.TrySetResult((s, t));
            }
        };

        var pending = session.SubmitAsync(ScriptedService.Command($"hold-once:{_temp.File("m")}:released"));
        var (sessionId, taskId) = await started.Task.WaitAsync(Bound);
        Assert.True(Engine.KillInstanceRunning(sessionId, taskId));
        var completion = await pending.WaitAsync(Bound);

        Assert.True(completion.IsSuccessful, completion.Error?.Message);
        Assert.Equal("released", Encoding.UTF8.GetString(completion.Output.Span));
        Assert.Equal(2, _attempts[taskId]);
    }

    [Fact]
    public async Task FailureException_IsRetried()
    {
        var session = Open(TestProfiles.Scripted(maxInstances: 1, taskRetryLimit: 1));

        var completion = await session.SubmitAsync(ScriptedService.Command($"failure-once:{_temp.File("m")}:second time")).WaitAsync(Bound);

        Assert.True(completion.IsSuccessful, completion.Error?.Message);
        Assert.Equal("second time", Encoding.UTF8.GetString(completion.Output.Span));
        Assert.Equal(2, _attempts[completion.TaskId]);
        Assert.Equal(1, Engine.InstancesStarted);
    }

    [Fact]
    public async Task FailureExceptionEveryTime_FailsAfterTheRetryLimit()
    {
        var session = Open(TestProfiles.Scripted(maxInstances: 1, taskRetryLimit: 3));

        var completion = await session.SubmitAsync(ScriptedService.Command("failure")).WaitAsync(Bound);

        Assert.False(completion.IsSuccessful);
        Assert.Equal(4, _attempts[completion.TaskId]);
        var embedded = Assert.IsType<FailureException>(completion.Error!.EmbeddedException);
        Assert.Contains("failing on purpose", embedded.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FatalException_IsNotRetried()
    {
        var session = Open(TestProfiles.Scripted(maxInstances: 1, taskRetryLimit: 3));

        var completion = await session.SubmitAsync(ScriptedService.Command("fatal")).WaitAsync(Bound);

        Assert.False(completion.IsSuccessful);
        Assert.Equal(1, _attempts[completion.TaskId]);
        var embedded = Assert.IsType<FatalException>(completion.Error!.EmbeddedException);
        Assert.Contains("fatal on purpose", embedded.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TasksInFlight_NeverExceedMaxInstancesAndReachIt()
    {
        const int maxInstances = 2;
        var session = Open(TestProfiles.Scripted(maxInstances: maxInstances));
        var gate = Directory.CreateDirectory(_temp.File("gate")).FullName;

        var completions = await Task.WhenAll(Enumerable.Range(0, 6)
            .Select(_ => session.SubmitAsync(ScriptedService.Command($"gate:{gate}:{maxInstances}")))).WaitAsync(Bound);

        Assert.All(completions, c => Assert.True(c.IsSuccessful, c.Error?.Message));
        Assert.Equal(maxInstances, Engine.MaxTasksInFlight);
        Assert.Equal(maxInstances, Engine.InstancesStarted);
    }

    [Fact]
    public async Task ServiceWritingToConsoleOut_DoesNotBreakTheChannel()
    {
        var session = Open(TestProfiles.Scripted(maxInstances: 1));

        var completion = await session.SubmitAsync(ScriptedService.Command("print:still fine")).WaitAsync(Bound);

        Assert.True(completion.IsSuccessful, completion.Error?.Message);
        Assert.Equal("still fine", Encoding.UTF8.GetString(completion.Output.Span));
        Assert.Equal(1, Engine.InstancesStarted);
    }

    [Fact]
    public async Task PriorityTask_JumpsAheadOfPendingTasks()
    {
        var session = Open(TestProfiles.Scripted(maxInstances: 1));
        var release = _temp.File("release");
        var startOrder = new ConcurrentQueue<string>();
        var blockerStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Engine.TaskStarted += (_, task, _) =>
        {
            startOrder.Enqueue(task);
            blockerStarted.TrySetResult();
        };

        var blocker = session.SubmitAsync(ScriptedService.Command($"wait:{release}:blocker"));
        await blockerStarted.Task.WaitAsync(Bound);
        var a = session.SubmitAsync(ScriptedService.Command("echo:a"));
        var b = session.SubmitAsync(ScriptedService.Command("echo:b"));
        var urgent = session.SubmitAsync(ScriptedService.Command("echo:urgent"), priority: true);
        await File.WriteAllTextAsync(release, "go");
        var completions = await Task.WhenAll(blocker, a, b, urgent).WaitAsync(Bound);

        Assert.All(completions, c => Assert.True(c.IsSuccessful, c.Error?.Message));
        Assert.Equal(new[] { completions[0].TaskId, completions[3].TaskId, completions[1].TaskId, completions[2].TaskId }, startOrder.ToArray());
    }

    [Fact]
    public async Task AbortSessionIfTaskFail_AbortsTheSessionWhenATaskFailsForGood()
    {
        var session = Open(TestProfiles.Scripted(maxInstances: 2, taskRetryLimit: 0, abortSessionIfTaskFail: true));
        var held = session.SubmitAsync(ScriptedService.Command("hold"));

        var fatal = await session.SubmitAsync(ScriptedService.Command("fatal")).WaitAsync(Bound);
        var heldCompletion = await held.WaitAsync(Bound);

        Assert.False(fatal.IsSuccessful);
        Assert.False(heldCompletion.IsSuccessful);
        Assert.Contains("aborted", heldCompletion.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServiceThatCannotStart_FailsItsTasksWithAClearError()
    {
        var profile = new LocalApplicationProfile(
            TestProfiles.Application,
            [new LocalSessionType("RecoverableAllHistoricalData", 1)],
            new LocalServiceCommand(_temp.File("no-such-program"), []))
        {
            MaxInstances = 1,
        };
        var session = Open(profile);

        var completion = await session.SubmitAsync(ScriptedService.Command("echo:x")).WaitAsync(Bound);

        Assert.False(completion.IsSuccessful);
        Assert.Contains("could not start", completion.Error!.Message, StringComparison.Ordinal);
    }

    private LocalSoamEngine Engine => ((LocalSoamConnection)typeof(SoamTaskSession)
        .GetField("_connection", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
        .GetValue(_session)!).Engine;

    private SoamTaskSession Open(LocalApplicationProfile profile)
    {
        _api = new LocalSoamApi([profile]);
        _session = SoamTaskSession.Open(_api, new SoamTaskSessionOptions(profile.ApplicationName));
        Engine.TaskStarted += (_, task, attempt) => _attempts.AddOrUpdate(task, attempt, (_, old) => Math.Max(old, attempt));
        return _session;
    }
}
