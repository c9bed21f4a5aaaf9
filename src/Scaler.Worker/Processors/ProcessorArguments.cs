using Scaler.IO.Tls;

namespace Scaler.Worker.Processors;

/// <summary>
/// The hidden <c>scaler-cli processor</c> sub-command's arguments:
/// <c>processor OBJECT_STORAGE_ADDRESS [LOG_LEVEL] [--python-executable PATH] [--tls-cert PATH --tls-key PATH] [--tls-ca PATH]</c>.
/// Its stdin/stdout are the frame channel to the worker (see <see cref="PipeFrames"/>); its logs go to stderr.
/// </summary>
public static class ProcessorArguments
{
    public const string SubCommand = "processor";

    /// <summary>The interpreter of the processor's Python tasks; without it the processor resolves the default.</summary>
    public const string PythonExecutableOption = "--python-executable";

    /// <summary>The worker's TLS files, which its processors present to object storage (and check it with).</summary>
    public const string TlsCertificateOption = "--tls-cert";

    public const string TlsKeyOption = "--tls-key";

    public const string TlsCaOption = "--tls-ca";

    /// <param name="pythonExecutable">written as <c>--python-executable PATH</c> after the positionals when not null</param>
    /// <param name="tls">each file given is written as its option; null or <see cref="TlsSettings.None"/> writes none</param>
    public static IReadOnlyList<string> Build(string objectStorageAddress, string logLevel, string? pythonExecutable = null, TlsSettings? tls = null)
    {
        var arguments = new List<string> { SubCommand, objectStorageAddress, logLevel };
        if (pythonExecutable is not null)
        {
            arguments.AddRange([PythonExecutableOption, pythonExecutable]);
        }

        if (tls?.CertificatePath is { } certificate)
        {
            arguments.AddRange([TlsCertificateOption, certificate]);
        }

        if (tls?.KeyPath is { } key)
        {
            arguments.AddRange([TlsKeyOption, key]);
        }

        if (tls?.CaPath is { } ca)
        {
            arguments.AddRange([TlsCaOption, ca]);
        }

        return arguments;
    }
}
