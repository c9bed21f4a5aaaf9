using System.CommandLine;
using Scaler.Cli.Commands;
using Scaler.Cli.Launch;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;

namespace Scaler.Cli.Tests.Launch;

public sealed class LaunchPlanTests : IDisposable
{
    private const string FullStack = """
        [object_storage_server]
        bind_address = "tcp://127.0.0.1:8517"
        identity = "store-7"

        [scheduler]
        bind_address = "tcp://127.0.0.1:8516"
        object_storage_address = "tcp://127.0.0.1:8517"
        monitor_address = "tcp://127.0.0.1:8518"

        [[worker_manager]]
        type = "baremetal_native"
        scheduler_address = "tcp://127.0.0.1:8516"
        worker_manager_id = "native-a"
        max_task_concurrency = 3
        logging_paths = ["/dev/stdout", "/tmp/a.log"]

        [[worker_manager]]
        type = "symphony"
        scheduler_address = "tcp://127.0.0.1:8516"
        worker_manager_id = "sym"
        service_name = "scaler-svc"

        [[worker_manager]]
        type = "baremetal_native"
        scheduler_address = "tcp://127.0.0.1:8516"
        worker_manager_id = "native-b"
        max_task_concurrency = 5

        [top]
        monitor_address = "tcp://127.0.0.1:8518"

        [gui]
        gui_address = "127.0.0.1:8081"
        """;

    private readonly TempFiles _files = new();
    private int _scratchRequests;

    public void Dispose() => _files.Dispose();

    private (LaunchPlan Plan, string Path) PlanFullStack()
    {
        var path = _files.Write("stack.toml", FullStack);
        var plan = LaunchPlan.Create(StackConfiguration.Load(path), path, () =>
        {
            _scratchRequests++;
            return System.IO.Directory.CreateDirectory(_files.PathOf("scratch")).FullName;
        });
        return (plan, path);
    }

    [Fact]
    public void Create_StartsSectionsInReferenceOrderAndNotesTheRest()
    {
        var (plan, path) = PlanFullStack();

        Assert.Equal(
            ["object_storage_server", "scheduler", "worker_manager:native-a", "worker_manager:sym", "worker_manager:native-b"],
            plan.Children.Select(c => c.Name));
        Assert.Equal(["object-storage-server", "--config", path], plan.Children[0].Arguments);
        Assert.Equal(["scheduler", "--config", path], plan.Children[1].Arguments);
        // The scheduler is started once the object storage server accepts connections; nothing waits for the others.
        Assert.Equal("tcp://127.0.0.1:8517", plan.Children[0].ReadyAddress);
        Assert.All(plan.Children.Skip(1), c => Assert.Null(c.ReadyAddress));
        // The only symphony entry is found in the file itself.
        Assert.Equal(["worker-manager", "symphony", "--config", path], plan.Children[3].Arguments);
        Assert.Contains(plan.Notes, n => n.StartsWith("[top] is not started", StringComparison.Ordinal));
        Assert.Contains(plan.Notes, n => n.StartsWith("[gui] is not supported", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_ObjectStorageAndSchedulerChildrenBindTheirSectionThroughTheirOwnCommands()
    {
        var (plan, _) = PlanFullStack();
        ObjectStorageServerOptions? storage = null;
        SchedulerOptions? scheduler = null;
        var root = new RootCommand
        {
            ObjectStorageServerCommand.Create((options, _, _) => { storage = options; return Task.FromResult(0); }),
            SchedulerCommand.Create((options, _, _) => { scheduler = options; return Task.FromResult(0); }),
        };

        using var sink = new StringWriter();
        Assert.Equal(0, await CliRunner.RunAsync(root, plan.Children[0].Arguments, sink, sink));
        Assert.Equal(0, await CliRunner.RunAsync(root, plan.Children[1].Arguments, sink, sink));

        Assert.Equal("tcp://127.0.0.1:8517", storage!.BindAddress);
        Assert.Equal("store-7", storage.Identity);
        Assert.Equal("tcp://127.0.0.1:8516", scheduler!.BindAddress);
        Assert.Equal("tcp://127.0.0.1:8518", scheduler.MonitorAddress);
    }

    [Fact]
    public void Create_SeveralEntriesOfOneType_GetOneFileEachHoldingOnlyThatEntry()
    {
        var (plan, path) = PlanFullStack();
        var first = plan.Children[2].Arguments;
        var second = plan.Children[4].Arguments;

        Assert.Equal(1, _scratchRequests);
        Assert.Equal(["worker-manager", "baremetal_native", "--config"], first.Take(3));
        Assert.NotEqual(path, first[3]);
        Assert.NotEqual(first[3], second[3]);

        // The child's own lookup (the one entry of its type in the file it is given) finds exactly that entry.
        var a = BindAsTheChildWould(first[3]);
        var b = BindAsTheChildWould(second[3]);
        Assert.Equal("native-a", a.Manager.WorkerManagerId);
        Assert.Equal(3, a.Manager.MaxTaskConcurrency);
        Assert.Equal(["/dev/stdout", "/tmp/a.log"], a.Logging.Paths);
        Assert.Equal("native-b", b.Manager.WorkerManagerId);
        Assert.Equal(5, b.Manager.MaxTaskConcurrency);
    }

    [Fact]
    public void Create_EntriesWithoutWorkerManagerId_AreNamedByTypeAndPosition_AndEachChildDerivesItsOwnId()
    {
        var path = _files.Write("no-ids.toml", """
            [[worker_manager]]
            type = "baremetal_native"
            scheduler_address = "tcp://127.0.0.1:8516"
            max_task_concurrency = 2

            [[worker_manager]]
            type = "symphony"
            scheduler_address = "tcp://127.0.0.1:8516"
            service_name = "MyScalerService"

            [[worker_manager]]
            type = "baremetal_native"
            scheduler_address = "tcp://127.0.0.1:8516"
            max_task_concurrency = 3
            """);

        var plan = LaunchPlan.Create(StackConfiguration.Load(path), path, () =>
            System.IO.Directory.CreateDirectory(_files.PathOf("scratch-no-ids")).FullName);

        Assert.Equal(
            ["worker_manager:baremetal_native#1", "worker_manager:symphony#2", "worker_manager:baremetal_native#3"],
            plan.Children.Select(c => c.Name));
        Assert.Equal(["worker-manager", "symphony", "--config", path], plan.Children[1].Arguments);

        // Each child binds its own entry and derives TYPE-HOSTNAME-PID from its own process (here: this one).
        var first = BindAsTheChildWould(plan.Children[0].Arguments[3]);
        var third = BindAsTheChildWould(plan.Children[2].Arguments[3]);
        Assert.Equal(2, first.Manager.MaxTaskConcurrency);
        Assert.Equal(3, third.Manager.MaxTaskConcurrency);
        Assert.True(first.Manager.WorkerManagerIdDerived);
        Assert.Equal($"baremetal_native-{Environment.MachineName}-{Environment.ProcessId}", first.Manager.WorkerManagerId);
    }

    [Fact]
    public void Create_ObjectStorageOnPortZero_IsNotWaitedFor()
    {
        var path = _files.Write("zero.toml", "[object_storage_server]\nbind_address = \"tcp://127.0.0.1:0\"\n");

        var plan = LaunchPlan.Create(StackConfiguration.Load(path), path, () => throw new InvalidOperationException("no scratch needed"));

        Assert.Null(Assert.Single(plan.Children).ReadyAddress);
    }

    private static NativeWorkerManagerOptions BindAsTheChildWould(string file)
    {
        var entry = WorkerManagerEntries.FindSingle(TomlConfigFile.Load(file), NativeWorkerManagerOptions.TypeName, file);
        return NativeWorkerManagerOptions.Section.BindToml(entry, file);
    }
}
