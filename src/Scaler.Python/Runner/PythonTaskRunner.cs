using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Scaler.Python.Pickles;

namespace Scaler.Python.Runner;

/// <summary>
/// Runs Python tasks in a Python runner process (<see cref="PythonRunnerScript"/>), one at a time, over the runner's
/// stdin and stdout (<see cref="RunnerFrames"/>). The runner is started on the first task and kept; when it dies (a
/// crash, <c>os._exit</c>, a kill) the task it ran fails with <see cref="PythonTaskStatus.RunnerDied"/> and the next
/// task starts a new one. When no runner can start (no interpreter, no cloudpickle, no script) the task fails with
/// <see cref="PythonTaskStatus.RunnerUnavailable"/> and a message that says what is missing and how to install it;
/// for <see cref="UnavailableRetryDelay"/> after that, tasks fail the same way without another attempt.
/// </summary>
/// <remarks>
/// Calls block until the task ends: callers run them where user code may block (a processor's task loop, a service
/// instance's <c>OnInvoke</c>). One caller at a time: a second concurrent call throws. Serializer and function objects are sent to the runner once per object ID, and the
/// runner keeps them loaded, as the reference processor keeps them in its object cache; after
/// <see cref="MaxKeptObjects"/> the runner is told to forget them all.
/// </remarks>
public sealed partial class PythonTaskRunner : IDisposable
{
    /// <summary>Serializer and function objects the runner keeps loaded before it is told to forget them.</summary>
    public const int MaxKeptObjects = 256;

    /// <summary>How long a failed start is remembered before the next task tries again.</summary>
    public static readonly TimeSpan UnavailableRetryDelay = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(2);

    private readonly PythonRunnerOptions _options;
    private readonly ILogger _logger;
    private readonly TextWriter _stderr;
    private readonly TimeProvider _time;
    private readonly HashSet<string> _sentObjects = new(StringComparer.Ordinal);
    private readonly RunnerFrames.FrameBuffer _frames = new();

    private Process? _process;
    private Stream? _toRunner;
    private Stream? _fromRunner;
    private StderrTail _tail = new(20);
    private string? _unavailable;
    private long _unavailableSince;
    private bool _disposed;
    private int _busy;

    /// <param name="options">The interpreter and start bound.</param>
    /// <param name="logger">Where starts, deaths and failures are logged.</param>
    /// <param name="stderr">Where the runner's stderr (user code's prints included) is copied, line by line; default this process's stderr.</param>
    /// <param name="timeProvider">Clock for the retry delay after a failed start.</param>
    public PythonTaskRunner(PythonRunnerOptions options, ILogger logger, TextWriter? stderr = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
        _stderr = stderr ?? Console.Error;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>What the running runner said about itself, or null while none runs.</summary>
    public PythonRunnerInfo? Info { get; private set; }

    /// <summary>
    /// Runs a Scaler task made by a Python client: <paramref name="serializerObject"/> is a pickled serializer (its
    /// <c>deserialize</c> reads the function and argument objects, its <c>serialize</c> writes the result).
    /// </summary>
    public PythonTaskOutcome RunTask(
        ReadOnlySpan<byte> taskId,
        ReadOnlySpan<byte> serializerId,
        ReadOnlyMemory<byte> serializerObject,
        ReadOnlySpan<byte> functionId,
        ReadOnlyMemory<byte> functionObject,
        IReadOnlyList<ReadOnlyMemory<byte>> argumentObjects) =>
        RunTasks([new PythonTaskRequest(taskId.ToArray(), serializerId.ToArray(), serializerObject, functionId.ToArray(), functionObject, argumentObjects)]).Single();

    /// <summary>
    /// Runs a batch of Scaler tasks in order: they are sent to the runner in one write and their outcomes come back,
    /// one per task, as each ends (the runner answers a burst of fast tasks in one write, a slow task's at once).
    /// When the runner dies, the task it ran fails with <see cref="PythonTaskStatus.RunnerDied"/> and the tasks after
    /// it run in a new runner. Enumerate the outcomes to the end: the runner is not free until then.
    /// </summary>
    public IEnumerable<PythonTaskOutcome> RunTasks(IReadOnlyList<PythonTaskRequest> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return Run(tasks.Count, (first, frames) => WriteTasks(tasks, first, frames), i => tasks[i].TaskId.Span);
    }

    /// <summary>
    /// Runs a Symphony task input in the reference worker manager's contract (<c>cloudpickle.loads(input)</c> is
    /// <c>(function, *arguments)</c>); a success's payload is <c>cloudpickle.dumps(result)</c>.
    /// </summary>
    public PythonTaskOutcome RunSoamTask(ReadOnlySpan<byte> taskId, ReadOnlyMemory<byte> input)
    {
        var id = taskId.ToArray();
        return Run(1, (_, frames) => frames.Begin(RunnerFrames.RunSoamTask).Blob(id).Blob(input.Span).End(), _ => id).Single();
    }

    private void WriteTasks(IReadOnlyList<PythonTaskRequest> tasks, int first, RunnerFrames.FrameBuffer frames)
    {
        for (var i = first; i < tasks.Count; i++)
        {
            var task = tasks[i];
            if (_sentObjects.Count >= MaxKeptObjects)
            {
                frames.Begin(RunnerFrames.Forget).End();
                _sentObjects.Clear();
            }

            frames.Begin(RunnerFrames.RunTask)
                .Blob(task.TaskId.Span)
                .Blob(task.SerializerId.Span)
                .Blob(_sentObjects.Add(Convert.ToHexString(task.SerializerId.Span)) ? task.Serializer.Span : [])
                .Blob(task.FunctionId.Span)
                .Blob(_sentObjects.Add(Convert.ToHexString(task.FunctionId.Span)) ? task.Function.Span : [])
                .U32((uint)task.Arguments.Count);
            foreach (var argument in task.Arguments)
            {
                frames.Blob(argument.Span);
            }

            frames.End();
        }
    }

    /// <summary>
    /// Sends tasks <c>first..count-1</c> (built by <paramref name="build"/>) and yields their outcomes in order. A
    /// runner that dies is replaced and the task it ran is sent again, up to
    /// <see cref="PythonRunnerOptions.RetriesAfterRunnerDeath"/> times (a kill or an out-of-memory end need not be the
    /// task's doing); a task whose runner dies once more fails with <see cref="PythonTaskStatus.RunnerDied"/>, and the
    /// tasks after it go to a new runner.
    /// </summary>
    private IEnumerable<PythonTaskOutcome> Run(int count, Action<int, RunnerFrames.FrameBuffer> build, Func<int, ReadOnlySpan<byte>> taskIdOf)
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("a Python task runner runs one batch at a time");
        }

        try
        {
            var next = 0;
            var deathsOfNext = 0;
            while (next < count)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_process is null && !TryStart(out var unavailable))
                {
                    for (; next < count; next++)
                    {
                        yield return Unavailable(unavailable);
                    }

                    yield break;
                }

                var sendProblem = Send(next, build);
                for (var i = next; i < count; i++)
                {
                    string? problem = null;
                    var outcome = sendProblem is null ? ReadOutcome(out problem) : null;
                    if (outcome is null)
                    {
                        // The runner is gone while it ran task i (every task before it was answered): run it again in a
                        // new runner, or, past the retries, fail it and go on with the ones after it.
                        var died = Died(taskIdOf(i).ToArray(), sendProblem ?? problem, ++deathsOfNext);
                        if (deathsOfNext <= _options.RetriesAfterRunnerDeath)
                        {
                            break;
                        }

                        (next, deathsOfNext) = (i + 1, 0);
                        yield return died;
                        break;
                    }

                    (next, deathsOfNext) = (i + 1, 0);
                    yield return outcome;
                }
            }
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Writes the frames of tasks <c>first..</c> in one call; the problem when the runner's stdin is gone.</summary>
    private string? Send(int first, Action<int, RunnerFrames.FrameBuffer> build)
    {
        try
        {
            build(first, _frames);
            _frames.WriteTo(_toRunner!);
            return null;
        }
        catch (IOException e)
        {
            return e.Message;
        }
    }

    /// <summary>The next task's outcome, or null when the runner is gone (<paramref name="problem"/> says how, when known).</summary>
    private PythonTaskOutcome? ReadOutcome(out string? problem)
    {
        problem = null;
        try
        {
            var frame = RunnerFrames.Read(_fromRunner!);
            if (frame is { Kind: RunnerFrames.Result } result)
            {
                return ReadResult(result.Body);
            }

            problem = frame is null ? null : $"the runner sent frame kind {frame.Value.Kind} instead of a result";
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            problem = e.Message;
        }

        return null;
    }

    private static PythonTaskOutcome ReadResult(byte[] body)
    {
        var reader = new RunnerFrames.BodyReader(body);
        var status = reader.U8();
        var payload = reader.Blob().ToArray();
        var errorText = reader.Text();
        var cpu = reader.F64();
        var maxRss = reader.U64();
        return new PythonTaskOutcome(
            status == 0 ? PythonTaskStatus.Succeeded : PythonTaskStatus.Failed,
            payload,
            errorText,
            TimeSpan.FromSeconds(double.IsFinite(cpu) && cpu >= 0 ? cpu : 0),
            (long)Math.Min(maxRss, long.MaxValue));
    }

    private PythonTaskOutcome Died(byte[] taskId, string? problem, int deaths)
    {
        var process = _process!;
        var exitCode = -1;
        try
        {
            if (process.WaitForExit(ExitWait))
            {
                process.WaitForExit(); // the stderr copy has the last lines
                exitCode = process.ExitCode;
            }
            else
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }

        var pid = Info?.ProcessId ?? 0;
        var lastLines = _tail.Text();
        StopProcess();
        var message = $"the Python runner (pid {pid}) running this task died (exit code {exitCode})"
            + (deaths > 1 ? $", the {Ordinal(deaths)} runner to die under it" : string.Empty)
            + (problem is null ? string.Empty : $": {problem}")
            + (lastLines.Length == 0 ? string.Empty : $"; its last lines on stderr:{Environment.NewLine}{lastLines}");
        LogDied(_logger, pid, exitCode, Convert.ToHexString(taskId), deaths, deaths <= _options.RetriesAfterRunnerDeath ? "runs it again in a new runner" : "fails it");
        return new PythonTaskOutcome(PythonTaskStatus.RunnerDied, PythonErrors.ProcessorDied(message), message, TimeSpan.Zero, 0);
    }

    private static PythonTaskOutcome Unavailable(string message) =>
        new(PythonTaskStatus.RunnerUnavailable, PythonErrors.Runtime(message), message, TimeSpan.Zero, 0);

    private bool TryStart(out string unavailable)
    {
        if (_unavailable is not null && _time.GetElapsedTime(_unavailableSince) < UnavailableRetryDelay)
        {
            unavailable = _unavailable;
            return false;
        }

        _unavailable = null;
        var script = PythonRunnerScript.Locate(out var lookedIn);
        if (script is null)
        {
            return Refuse($"the Scaler.NET Python runner is not installed (looked for {lookedIn}); rebuild or reinstall Scaler.NET", out unavailable);
        }

        var info = new ProcessStartInfo(_options.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        var process = new Process { StartInfo = info };
        var tail = new StderrTail(20);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                tail.Add(line);
                _stderr.WriteLine(line);
            }
        };

        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            return Refuse(
                $"cannot start the Python interpreter '{_options.Executable}' ({e.Message}): install Python 3 with cloudpickle "
                + "(Debian/Ubuntu: apt-get install python3 python3-cloudpickle python3-tblib), or point --python-executable "
                + $"(TOML python_executable) or {PythonRunnerOptions.ExecutableVariable} at an interpreter that has it",
                out unavailable);
        }

        process.BeginErrorReadLine();
        var fromRunner = process.StandardOutput.BaseStream;
        var ready = Task.Run(() => RunnerFrames.Read(fromRunner));
        string? refusal = null;
        try
        {
            if (!ready.Wait(_options.StartTimeout))
            {
                refusal = $"the Python runner ({_options.Executable} {script}) did not start within {_options.StartTimeout.TotalSeconds:0} s";
            }
            else if (ready.Result is not { } frame)
            {
                process.WaitForExit(ExitWait);
                refusal = $"the Python runner ({_options.Executable} {script}) exited before it was ready"
                    + (process.HasExited ? $" (exit code {process.ExitCode})" : string.Empty)
                    + (tail.Text() is { Length: > 0 } lines ? $"; stderr:{Environment.NewLine}{lines}" : string.Empty);
            }
            else if (frame.Kind == RunnerFrames.Fatal)
            {
                refusal = new RunnerFrames.BodyReader(frame.Body).Text();
            }
            else if (frame.Kind != RunnerFrames.Ready)
            {
                refusal = $"the Python runner sent frame kind {frame.Kind} instead of ready";
            }
            else
            {
                var reader = new RunnerFrames.BodyReader(frame.Body);
                var python = reader.Text();
                var cloudpickle = reader.Text();
                var tblib = reader.Text();
                var executable = reader.Text();
                var pid = (int)reader.U32();
                Info = new PythonRunnerInfo(pid, python, cloudpickle, tblib, executable);
            }
        }
        catch (AggregateException e) when (e.InnerException is IOException or InvalidDataException)
        {
            refusal = $"the Python runner's channel failed while it started: {e.InnerException.Message}";
        }

        if (refusal is not null)
        {
            KillQuietly(process);
            process.Dispose();
            return Refuse(refusal, out unavailable);
        }

        _process = process;
        _toRunner = process.StandardInput.BaseStream;
        _fromRunner = new BufferedStream(fromRunner, 1 << 16);
        _tail = tail;
        _sentObjects.Clear();
        LogStarted(_logger, Info!.ProcessId, Info.Executable, Info.PythonVersion, Info.CloudpickleVersion,
            Info.TblibVersion.Length == 0 ? "not installed: tracebacks of failed tasks will not reach clients" : Info.TblibVersion);
        unavailable = string.Empty;
        return true;
    }

    private bool Refuse(string message, out string unavailable)
    {
        _unavailable = message;
        _unavailableSince = _time.GetTimestamp();
        LogUnavailable(_logger, message);
        unavailable = message;
        return false;
    }

    private void StopProcess()
    {
        var process = _process;
        _process = null;
        _toRunner = null;
        _fromRunner = null;
        Info = null;
        if (process is null)
        {
            return;
        }

        try
        {
            // Closing stdin ends a runner between tasks; one that does not end in time is killed.
            process.StandardInput.Close();
            if (!process.WaitForExit(ExitWait))
            {
                KillQuietly(process);
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            KillQuietly(process);
        }

        process.Dispose();
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(ExitWait);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
        }
    }

    /// <summary>Ends the runner (closing its stdin, then killing it if it does not end). Not while a batch runs.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        StopProcess();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "started Python runner {Pid} ({Executable}, Python {Python}, cloudpickle {Cloudpickle}, tblib {Tblib})")]
    private static partial void LogStarted(ILogger logger, int pid, string executable, string python, string cloudpickle, string tblib);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Python runner {Pid} died (exit code {ExitCode}) while running task {TaskId} (death {Deaths} under it); {Action}")]
    private static partial void LogDied(ILogger logger, int pid, int exitCode, string taskId, int deaths, string action);

    private static string Ordinal(int n) => n switch { 2 => "2nd", 3 => "3rd", _ => $"{n}th" };

    [LoggerMessage(Level = LogLevel.Error, Message = "Python tasks cannot run here: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}
