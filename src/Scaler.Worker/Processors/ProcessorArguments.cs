namespace Scaler.Worker.Processors;

/// <summary>
/// The hidden <c>scaler-cli processor</c> sub-command's arguments:
/// <c>processor OBJECT_STORAGE_ADDRESS [LOG_LEVEL] [--python-executable PATH]</c>.
/// Its stdin/stdout are the frame channel to the worker (see <see cref="PipeFrames"/>); its logs go to stderr.
/// </summary>
public static class ProcessorArguments
{
    public const string SubCommand = "processor";

    /// <summary>The interpreter of the processor's Python tasks; without it the processor resolves the default.</summary>
    public const string PythonExecutableOption = "--python-executable";

    /// <param name="pythonExecutable">written as <c>--python-executable PATH</c> after the positionals when not null</param>
    public static IReadOnlyList<string> Build(string objectStorageAddress, string logLevel, string? pythonExecutable = null) =>
        pythonExecutable is null
            ? [SubCommand, objectStorageAddress, logLevel]
            : [SubCommand, objectStorageAddress, logLevel, PythonExecutableOption, pythonExecutable];
}
