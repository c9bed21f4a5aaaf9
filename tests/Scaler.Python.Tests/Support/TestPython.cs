using System.Diagnostics;
using System.Text;

namespace Scaler.Python.Tests.Support;

/// <summary>
/// The Python interpreter the tests use: $SCALER_TEST_PYTHON, else Debian's /usr/bin/python3 (where apt installs
/// python3-cloudpickle and python3-tblib, which scripts/install-deps.sh does), else python3 on PATH. Tests need
/// cloudpickle: without it they fail and say how to install it, never skip.
/// </summary>
internal static class TestPython
{
    public static string Executable { get; } = Choose();

    private static string Choose()
    {
        if (Environment.GetEnvironmentVariable("SCALER_TEST_PYTHON") is { Length: > 0 } chosen)
        {
            return chosen;
        }

        return File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    }

    /// <summary>Runs <paramref name="script"/> with <paramref name="input"/> on stdin; returns stdout, failing with stderr when it exits non-zero.</summary>
    public static string Run(string script, byte[]? input = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(input ?? []);
        process.StandardInput.Close();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Executable} -c ... did not end in time");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            var missing = stderr.Result.Contains("No module named 'cloudpickle'", StringComparison.Ordinal)
                ? " (install the test tools: apt-get install python3-cloudpickle python3-tblib, or scripts/install-deps.sh)"
                : string.Empty;
            throw new InvalidOperationException($"{Executable} exited with {process.ExitCode}{missing}:{Environment.NewLine}{stderr.Result}");
        }

        return stdout.Result.Trim();
    }

    /// <summary>Python source that makes <c>scaler.utility.exceptions</c> importable (the reference package is not installed here).</summary>
    public const string ReferenceExceptionsStub = """
        import sys, types
        for name in ("scaler", "scaler.utility", "scaler.utility.exceptions"):
            sys.modules.setdefault(name, types.ModuleType(name))
        exceptions = sys.modules["scaler.utility.exceptions"]
        for cls in ("ProcessorDiedError", "DeserializeObjectError", "TaskExceptionNotSerializableError"):
            setattr(exceptions, cls, type(cls, (Exception,), {"__module__": "scaler.utility.exceptions"}))

        """;

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
