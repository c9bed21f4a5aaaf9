namespace Scaler.Python.Runner;

/// <summary>
/// How a Python task runner process is started: which interpreter, and how long it may take to say it is ready.
/// The interpreter comes from <c>--python-executable</c> (TOML <c>python_executable</c>), else from the
/// <see cref="ExecutableVariable"/> environment variable, else <see cref="DefaultExecutable"/> on PATH.
/// </summary>
public sealed record PythonRunnerOptions
{
    /// <summary>The interpreter used when nothing else is configured: <c>python3</c>, looked up on PATH.</summary>
    public const string DefaultExecutable = "python3";

    /// <summary>Environment variable naming the interpreter; set by worker managers for the processes they start.</summary>
    public const string ExecutableVariable = "SCALER_PYTHON_EXECUTABLE";

    /// <summary>The interpreter: a file name looked up on PATH, or a path.</summary>
    public string Executable { get; init; } = DefaultExecutable;

    /// <summary>How long the runner may take from start to its ready line (imports of cloudpickle and tblib). Default 60 s.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How many times a task whose runner died under it is run again in a new runner before it fails with the
    /// reference's <c>ProcessorDiedError</c>. Default 3, as Dask's <c>allowed-failures</c>: a runner killed from
    /// outside (the OOM killer, an operator) need not be the task's doing, while a task that kills every runner it runs
    /// in (<c>os._exit</c>, a crash in native code) fails after the 4th.
    /// </summary>
    public int RetriesAfterRunnerDeath { get; init; } = 3;

    /// <summary>Options with <paramref name="executable"/> when given, else the environment variable, else <c>python3</c>.</summary>
    public static PythonRunnerOptions Resolve(string? executable)
    {
        var chosen = !string.IsNullOrWhiteSpace(executable)
            ? executable
            : Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultExecutable;
        return new PythonRunnerOptions { Executable = chosen };
    }
}
