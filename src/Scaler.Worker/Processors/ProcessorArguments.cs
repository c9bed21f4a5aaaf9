namespace Scaler.Worker.Processors;

/// <summary>
/// The hidden <c>scaler-cli processor</c> sub-command's arguments: <c>processor OBJECT_STORAGE_ADDRESS [LOG_LEVEL]</c>.
/// Its stdin/stdout are the frame channel to the worker (see <see cref="PipeFrames"/>); its logs go to stderr.
/// </summary>
public static class ProcessorArguments
{
    public const string SubCommand = "processor";

    public static IReadOnlyList<string> Build(string objectStorageAddress, string logLevel) =>
        [SubCommand, objectStorageAddress, logLevel];
}
