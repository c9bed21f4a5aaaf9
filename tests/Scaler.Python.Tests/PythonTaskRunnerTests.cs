using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Scaler.Python.Pickles;
using Scaler.Python.Runner;
using Scaler.Python.Tests.Support;

namespace Scaler.Python.Tests;

public sealed class PythonTaskRunnerTests : IDisposable
{
    private static readonly byte[] SerializerId = Enumerable.Repeat((byte)1, 32).ToArray();
    private static readonly byte[] SquareId = Enumerable.Repeat((byte)2, 32).ToArray();
    private static readonly byte[] BoomId = Enumerable.Repeat((byte)3, 32).ToArray();

    private readonly StringWriter _stderr = new();
    private readonly PythonTaskRunner _runner;

    public PythonTaskRunnerTests()
    {
        _runner = new PythonTaskRunner(new PythonRunnerOptions { Executable = TestPython.Executable }, NullLogger.Instance, TextWriter.Synchronized(_stderr));
    }

    public void Dispose()
    {
        _runner.Dispose();
        _stderr.Dispose();
    }

    [Fact]
    public void RunTask_TheReferenceClientsGoldenObjects_GiveTheResultObjectItsSerializerReads()
    {
        var outcome = _runner.RunTask("t1"u8, SerializerId, GoldenObjects.Serializer, SquareId, GoldenObjects.Square, [GoldenObjects.Seven]);

        Assert.Equal(PythonTaskStatus.Succeeded, outcome.Status);
        Assert.Equal("49", Load(outcome.Payload));
        Assert.True(outcome.MaxRssBytes > 1_000_000);
        Assert.NotNull(_runner.Info);
        Assert.StartsWith("3.", _runner.Info.PythonVersion, StringComparison.Ordinal);
    }

    [Fact]
    public void RunTask_AnExceptionIsWrittenAsTheReferenceWorkerWritesIt_TypeMessageAndTraceback()
    {
        var outcome = _runner.RunTask("t2"u8, SerializerId, GoldenObjects.Serializer, BoomId, GoldenObjects.Boom, [GoldenObjects.GoldenErrorText]);

        Assert.Equal(PythonTaskStatus.Failed, outcome.Status);
        Assert.True(PythonPickles.TryDescribeException(outcome.Payload, out var type, out var message));
        Assert.Equal(("ValueError", "golden-error"), (type, message));
        Assert.Contains("in boom", Load(outcome.Payload, "import traceback; print(''.join(traceback.format_exception(v)))"), StringComparison.Ordinal);
        Assert.Contains("ValueError: golden-error", outcome.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public void RunTask_ObjectsAreSentOnceThenKeptByTheRunner()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(PythonTaskStatus.Succeeded, _runner.RunTask("t"u8, SerializerId, GoldenObjects.Serializer, SquareId, GoldenObjects.Square, [GoldenObjects.Seven]).Status);
        }

        // Sent with empty bytes, the cached objects are still the ones used.
        var again = _runner.RunTask("t"u8, SerializerId, ReadOnlyMemory<byte>.Empty, SquareId, ReadOnlyMemory<byte>.Empty, [GoldenObjects.Seven]);
        Assert.Equal("49", Load(again.Payload));
    }

    [Fact]
    public void RunTask_AFunctionThatKillsItsProcess_FailsThatTaskOnly_AndTheNextTaskRunsInANewRunner()
    {
        var (serializer, functions, arguments) = Make("""
            import os, sys
            def die(code):
                print("about to die", file=sys.stderr, flush=True)
                os._exit(code)
            def echo(x):
                print("printed by the task")
                return x
            """, "die", "echo", "7");
        var firstPid = RunOk(serializer, functions[1], arguments[0]).Pid;

        var died = _runner.RunTask("d"u8, SerializerId, serializer, Id(9), functions[0], [arguments[0]]);

        Assert.Equal(PythonTaskStatus.RunnerDied, died.Status);
        Assert.Contains("exit code 7", died.ErrorText, StringComparison.Ordinal);
        Assert.Contains("about to die", died.ErrorText, StringComparison.Ordinal);
        Assert.True(PythonPickles.TryDescribeException(died.Payload, out var type, out _));
        Assert.Equal("scaler.utility.exceptions.ProcessorDiedError", type);
        var second = RunOk(serializer, functions[1], arguments[0]);
        Assert.NotEqual(firstPid, second.Pid);
        Assert.Contains("printed by the task", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void RunTask_ATaskWhoseRunnerIsKilledOnce_RunsAgainInANewRunnerAndSucceeds_OneThatKillsEveryRunnerFailsAfterTheRetries()
    {
        var attempts = Path.Combine(Path.GetTempPath(), $"scaler-attempts-{Guid.NewGuid():N}");
        var source = "import os\n"
            + "def attempt(limit):\n"
            + $"    with open({System.Text.Json.JsonSerializer.Serialize(attempts)}, 'a') as f:\n"
            + "        f.write('x')\n"
            + $"    if os.path.getsize({System.Text.Json.JsonSerializer.Serialize(attempts)}) <= limit:\n"
            + "        os._exit(9)\n"
            + "    return 'survived'\n";
        var (serializer, functions, arguments) = Make(source, "attempt", null, "1");
        var (_, _, killEveryTime) = Make(source, "attempt", null, "1000");
        try
        {
            var survived = _runner.RunTask("a"u8, SerializerId, serializer, Id(14), functions[0], [arguments[0]]);

            Assert.True(survived.Succeeded, survived.ErrorText);
            Assert.Equal("survived", Load(survived.Payload));
            Assert.Equal(2, new FileInfo(attempts).Length);

            File.Delete(attempts);
            var died = _runner.RunTask("b"u8, SerializerId, serializer, Id(14), functions[0], [killEveryTime[0]]);

            Assert.Equal(PythonTaskStatus.RunnerDied, died.Status);
            Assert.Equal(1 + new PythonRunnerOptions().RetriesAfterRunnerDeath, new FileInfo(attempts).Length);
            Assert.Contains("the 4th runner to die under it", died.ErrorText, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(attempts);
        }
    }

    [Fact]
    public void RunTasks_ABatchWhoseSecondTaskKillsTheRunner_FailsThatTaskOnly_AndRunsTheRestInANewRunner()
    {
        var (serializer, functions, arguments) = Make("import os\ndef die(code):\n    os._exit(code)\n", "die", null, "5");
        var square = Request(SquareId, GoldenObjects.Square, GoldenObjects.Seven);

        var outcomes = _runner.RunTasks([square, Request(Id(12), functions[0], arguments[0], serializer), square, square]).ToList();

        Assert.Equal(
            [PythonTaskStatus.Succeeded, PythonTaskStatus.RunnerDied, PythonTaskStatus.Succeeded, PythonTaskStatus.Succeeded],
            outcomes.Select(o => o.Status));
        Assert.Contains("exit code 5", outcomes[1].ErrorText, StringComparison.Ordinal);
        Assert.All(outcomes.Where(o => o.Succeeded), o => Assert.Equal("49", Load(o.Payload)));
    }

    [Fact]
    public void RunTasks_AFastTasksResultArrivesWhileTheSlowTaskAfterItStillRuns()
    {
        // The slow task waits until the file exists (at most 30 s); the test creates it only once it has the fast
        // task's result. Were that result held back until the batch ends, the slow task would report "not released".
        var release = Path.Combine(Path.GetTempPath(), $"scaler-release-{Guid.NewGuid():N}");
        var source = "import os, time\n"
            + "def wait_for_release(seconds):\n"
            + "    deadline = time.monotonic() + seconds\n"
            + $"    while not os.path.exists({System.Text.Json.JsonSerializer.Serialize(release)}):\n"
            + "        if time.monotonic() > deadline:\n"
            + "            return 'not released'\n"
            + "        time.sleep(0.01)\n"
            + "    return 'released'\n";
        var (serializer, functions, arguments) = Make(source, "wait_for_release", null, "30");

        // Warmed up, the fast task takes well under the runner's 1 ms "slow task" bound, so only the late flush can send it.
        Assert.True(_runner.RunTask("w"u8, SerializerId, GoldenObjects.Serializer, SquareId, GoldenObjects.Square, [GoldenObjects.Seven]).Succeeded);
        try
        {
            using var outcomes = _runner.RunTasks(
                [Request(SquareId, GoldenObjects.Square, GoldenObjects.Seven), Request(Id(13), functions[0], arguments[0], serializer)]).GetEnumerator();

            Assert.True(outcomes.MoveNext());
            Assert.Equal("49", Load(outcomes.Current.Payload));
            File.WriteAllText(release, "go");
            Assert.True(outcomes.MoveNext());
            Assert.Equal("released", Load(outcomes.Current.Payload));
            Assert.False(outcomes.MoveNext());
        }
        finally
        {
            File.Delete(release);
        }
    }

    [Fact]
    public void RunTask_FunctionObjectThatDoesNotLoad_IsADeserializeObjectErrorNamingTheCause_AndTheRunnerGoesOn()
    {
        var broken = GoldenObjects.Square[..^20];

        var outcome = _runner.RunTask("b"u8, SerializerId, GoldenObjects.Serializer, Id(5), broken, [GoldenObjects.Seven]);

        Assert.Equal(PythonTaskStatus.Failed, outcome.Status);
        Assert.True(PythonPickles.TryDescribeException(outcome.Payload, out var type, out var message));
        Assert.Equal("scaler.utility.exceptions.DeserializeObjectError", type);
        Assert.Contains("failed to deserialize function object", message, StringComparison.Ordinal);
        Assert.Contains("worker Python 3.", message, StringComparison.Ordinal);
        Assert.Equal(PythonTaskStatus.Succeeded, _runner.RunTask("c"u8, SerializerId, GoldenObjects.Serializer, SquareId, GoldenObjects.Square, [GoldenObjects.Seven]).Status);
    }

    [Fact]
    public void RunTask_AnArgumentWhoseUnpicklingRaises_IsADeserializeObjectErrorNamingTheArgumentAndTheError()
    {
        // pickle.loads of this calls int("not a number"), which raises ValueError while the object loads.
        var raisingOnLoad = new PickleWriter().Global("builtins", "int").Text("not a number").Tuple1().Reduce().ToArrayWithStop();

        var outcome = _runner.RunTask("u"u8, SerializerId, GoldenObjects.Serializer, SquareId, GoldenObjects.Square, [raisingOnLoad]);

        Assert.Equal(PythonTaskStatus.Failed, outcome.Status);
        Assert.True(PythonPickles.TryDescribeException(outcome.Payload, out var type, out var message));
        Assert.Equal("scaler.utility.exceptions.DeserializeObjectError", type);
        Assert.Contains("argument 0", message, StringComparison.Ordinal);
        Assert.Contains("ValueError", message, StringComparison.Ordinal);
        Assert.Equal(PythonTaskStatus.Succeeded, _runner.RunTask("v"u8, SerializerId, GoldenObjects.Serializer, SquareId, GoldenObjects.Square, [GoldenObjects.Seven]).Status);
    }

    [Fact]
    public void RunTask_ASerializerThatIsNotAPickle_FailsTheTaskWithTheReason()
    {
        var outcome = _runner.RunTask("s"u8, Id(7), "SCALER.NET/SERIALIZER 1\n"u8.ToArray(), SquareId, GoldenObjects.Square, [GoldenObjects.Seven]);

        Assert.Equal(PythonTaskStatus.Failed, outcome.Status);
        Assert.Contains("failed to deserialize serializer object", outcome.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public void RunTask_AResultThatCannotBePickled_FailsTheTaskWithThePicklingError()
    {
        var (serializer, functions, arguments) = Make("""
            import threading
            def lock(x):
                return threading.Lock()
            """, "lock", null, "1");

        var outcome = _runner.RunTask("r"u8, SerializerId, serializer, Id(11), functions[0], [arguments[0]]);

        Assert.Equal(PythonTaskStatus.Failed, outcome.Status);
        Assert.Contains("lock", outcome.ErrorText, StringComparison.OrdinalIgnoreCase);
        Assert.True(PythonPickles.TryDescribeException(outcome.Payload, out var type, out _), "the failure loads as an exception");
        Assert.Contains("Error", type, StringComparison.Ordinal);
    }

    [Fact]
    public void RunSoamTask_RunsTheReferenceContractsTuple()
    {
        var input = Scaler.Python.Symphony.PythonSoamTaskInput.Build(
            GoldenObjects.Serializer, true, GoldenObjects.Square, [GoldenObjects.Seven], Scaler.Python.Symphony.PythonSoamInputFlags.AnswerInEnvelope);

        var outcome = _runner.RunSoamTask("soam"u8, input);

        Assert.Equal(PythonTaskStatus.Succeeded, outcome.Status);
        Assert.Equal("49", Load(outcome.Payload));
    }

    [Fact]
    public void MissingInterpreter_FailsWithWhatIsMissing_AndDoesNotRetryWithinTheDelay()
    {
        var time = new FakeTimeProvider();
        using var runner = new PythonTaskRunner(new PythonRunnerOptions { Executable = "/nonexistent/python3.99" }, NullLogger.Instance, TextWriter.Null, time);

        var outcome = runner.RunTask("m"u8, SerializerId, GoldenObjects.Serializer, SquareId, GoldenObjects.Square, [GoldenObjects.Seven]);

        Assert.Equal(PythonTaskStatus.RunnerUnavailable, outcome.Status);
        Assert.Contains("cannot start the Python interpreter '/nonexistent/python3.99'", outcome.ErrorText, StringComparison.Ordinal);
        Assert.Contains("--python-executable", outcome.ErrorText, StringComparison.Ordinal);
        Assert.True(PythonPickles.TryDescribeException(outcome.Payload, out var type, out _));
        Assert.Equal("RuntimeError", type);
        Assert.Equal(outcome.ErrorText, runner.RunTask("m"u8, SerializerId, GoldenObjects.Serializer, SquareId, GoldenObjects.Square, [GoldenObjects.Seven]).ErrorText);
    }

    [Fact]
    public void InterpreterWithoutCloudpickle_FailsWithHowToInstallIt()
    {
        // The interpreter without its site packages (-S) is one where cloudpickle cannot be imported.
        var wrapper = Path.Combine(Path.GetTempPath(), $"python-without-site-{Guid.NewGuid():N}.sh");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec {TestPython.Executable} -S \"$@\"\n");
        Assert.True(OperatingSystem.IsLinux(), "Scaler.NET's Python runner is tested on Linux");
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        try
        {
            using var runner = new PythonTaskRunner(new PythonRunnerOptions { Executable = wrapper }, NullLogger.Instance, TextWriter.Null);

            var outcome = runner.RunTask("n"u8, SerializerId, GoldenObjects.Serializer, SquareId, GoldenObjects.Square, [GoldenObjects.Seven]);

            Assert.Equal(PythonTaskStatus.RunnerUnavailable, outcome.Status);
            Assert.Contains("cannot import cloudpickle", outcome.ErrorText, StringComparison.Ordinal);
            Assert.Contains("apt-get install python3-cloudpickle", outcome.ErrorText, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(wrapper);
        }
    }

    private (int Pid, PythonTaskOutcome Outcome) RunOk(byte[] serializer, byte[] function, byte[] argument)
    {
        var outcome = _runner.RunTask("ok"u8, SerializerId, serializer, Id(10), function, [argument]);
        Assert.True(outcome.Succeeded, outcome.ErrorText);
        return (_runner.Info!.ProcessId, outcome);
    }

    private static byte[] Id(byte value) => Enumerable.Repeat(value, 32).ToArray();

    private static PythonTaskRequest Request(byte[] functionId, byte[] function, byte[] argument, byte[]? serializer = null) =>
        new("t"u8.ToArray(), SerializerId, serializer ?? GoldenObjects.Serializer, functionId, function, [argument]);

    /// <summary>Objects as the reference client makes them, for functions defined in <paramref name="source"/>.</summary>
    private static (byte[] Serializer, byte[][] Functions, byte[][] Arguments) Make(string source, string first, string? second, string argument)
    {
        var script = $$"""
            import base64, json, sys, cloudpickle
            source = {{System.Text.Json.JsonSerializer.Serialize(source)}}
            exec(source, globals())
            names = [n for n in {{System.Text.Json.JsonSerializer.Serialize(new[] { first, second ?? "" })}} if n]
            print(json.dumps([base64.b64encode(x).decode() for x in
                [cloudpickle.dumps(globals()[n]) for n in names] + [cloudpickle.dumps(eval({{System.Text.Json.JsonSerializer.Serialize(argument)}}))]]))
            """;
        var made = System.Text.Json.JsonSerializer.Deserialize<string[]>(TestPython.Run(script))!.Select(Convert.FromBase64String).ToArray();
        return (GoldenObjects.Serializer, made[..^1], [made[^1]]);
    }

    private static string Load(ReadOnlyMemory<byte> pickle, string then = "print(v)") =>
        TestPython.Run("import cloudpickle, sys\ntry:\n    import tblib.pickling_support; tblib.pickling_support.install()\nexcept ImportError: pass\nv = cloudpickle.loads(sys.stdin.buffer.read())\n" + then, pickle.ToArray());
}
