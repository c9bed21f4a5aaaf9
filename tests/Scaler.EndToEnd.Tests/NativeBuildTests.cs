using Scaler.Benchmarks.PythonClient;
using Scaler.EndToEnd.Tests.Support;

namespace Scaler.EndToEnd.Tests;

/// <summary>
/// The native build (<c>scaler-native</c>, Native AOT; docs/cold-start.md) as bin/ runs it: servers and native
/// workers compiled ahead of time, and every sub-command that loads code handed to the managed <c>scaler-cli</c> next
/// to it. scripts/test.sh publishes both (scripts/publish.sh) and gives the path in <c>SCALER_NATIVE_BUILD</c>.
/// </summary>
public sealed class NativeBuildTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task NativeStack_RunsDotNetAndPythonTasks_WithProcessorsOnTheManagedBuild()
    {
        CliProcess.UseExecutable(NativeBuild.Path);
        var script = new ReferenceClientObjects();
        await using var cluster = await LocalCluster.StartFixedAsync(2, "--python-executable", script.Interpreter);
        using (var cts = new CancellationTokenSource(Bound))
        {
            await using var client = await cluster.ConnectAsync(cts.Token);
            var squares = await client.MapAsync(RemoteFunctions.Square, Enumerable.Range(0, 200), cts.Token);
            Assert.Equal(Enumerable.Range(0, 200).Select(x => x * x), squares);
        }

        await PythonTasksTests.RunPythonJobAsync(cluster, script, runnerProfile: true);

        // The servers and workers are the native build; the processors (users' .NET code) were handed to scaler-cli.
        Assert.Equal("scaler-native", NativeBuild.ExecutableOf(cluster.Scheduler.Id));
        Assert.Equal("scaler-native", NativeBuild.ExecutableOf(cluster.Storage.Id));
        Assert.Equal("scaler-native", NativeBuild.ExecutableOf(cluster.Manager!.Id));
        var processors = NativeBuild.ProcessesWhoseArgumentsContain("processor", $"tcp://127.0.0.1:{cluster.Port + 1}");
        Assert.NotEmpty(processors);
        Assert.All(processors, pid => Assert.Equal("scaler-cli", NativeBuild.ExecutableOf(pid)));
    }

    [Fact]
    public async Task SymphonyManager_StartedFromTheNativeBuild_IsHandedToTheManagedBuild_AndRunsTasks()
    {
        CliProcess.UseExecutable(NativeBuild.Path);
        await using var cluster = await LocalCluster.StartSchedulerAsync();
        cluster.StartSymphonyManager(2);
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await cluster.ConnectAsync(cts.Token);

        var squares = await client.MapAsync(RemoteFunctions.Square, Enumerable.Range(0, 50), cts.Token);

        Assert.Equal(Enumerable.Range(0, 50).Select(x => x * x), squares);
        // Same process (execv keeps the pid the launcher knows), now the managed build.
        Assert.Equal("scaler-cli", NativeBuild.ExecutableOf(cluster.Manager!.Id));
        Assert.Equal("scaler-native", NativeBuild.ExecutableOf(cluster.Scheduler.Id));
    }

    [Fact]
    public async Task NativeBuild_WithoutTheManagedBuildBesideIt_SaysSoForAProcessor()
    {
        var directory = Directory.CreateTempSubdirectory("scaler-native-alone-");
        try
        {
            var alone = Path.Combine(directory.FullName, "scaler-native");
            File.Copy(NativeBuild.Path, alone);
            await using var process = CliProcess.StartProgram(alone, ["processor", "tcp://127.0.0.1:1", "Information"]);

            Assert.Equal(1, await process.WaitForExitAsync(Bound));
            Assert.Contains(process.Lines, line => line.Contains("the managed build that runs it", StringComparison.Ordinal));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
