using Scaler.Cli.Launch;

namespace Scaler.Cli.Tests.Launch;

/// <summary>Children that are real OS processes running a <c>/bin/sh -c</c> script (the spec's only argument).</summary>
internal sealed class ShellChildren : IChildProcessFactory
{
    private static readonly SelfCommand Shell = new("/bin/sh", ["-c"]);

    public List<IChildProcess> Started { get; } = [];

    public IChildProcess Start(ChildSpec spec, Action<string> standardOutputLine, Action<string> standardErrorLine)
    {
        var process = OsChildProcess.Start(Shell, spec, standardOutputLine, standardErrorLine);
        Started.Add(process);
        return process;
    }

    /// <summary>A child that sets its SIGTERM reply, then creates <paramref name="readyFile"/> and idles.</summary>
    public static ChildSpec Idler(string name, string readyFile, string onTerm = "echo stopping; exit 0") =>
        new(name, [$"trap '{onTerm}' TERM; touch '{readyFile}'; while :; do sleep 0.05; done"]);

    /// <summary>Waits (bounded by the token) until every file exists.</summary>
    public static async Task WaitForFilesAsync(CancellationToken cancellationToken, params string[] files)
    {
        while (!files.All(File.Exists))
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>True while /proc shows the process and it is not a zombie.</summary>
    public static bool IsAlive(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
