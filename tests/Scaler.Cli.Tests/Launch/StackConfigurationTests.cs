using Scaler.Cli.Launch;
using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;

namespace Scaler.Cli.Tests.Launch;

public sealed class StackConfigurationTests
{
    private const string FullStack = """
        [object_storage_server]
        bind_address = "tcp://127.0.0.1:8517"

        [scheduler]
        bind_address = "tcp://127.0.0.1:8516"
        object_storage_address = "tcp://127.0.0.1:8517"
        monitor_address = "tcp://127.0.0.1:8518"
        logging_paths = ["/dev/stdout", "/var/log/scaler/scheduler.log"]

        [[worker_manager]]
        type = "baremetal_native"
        scheduler_address = "tcp://127.0.0.1:8516"
        worker_manager_id = "native"
        mode = "fixed"
        max_task_concurrency = 8

        [[worker_manager]]
        type = "symphony"
        scheduler_address = "tcp://127.0.0.1:8516"
        worker_manager_id = "sym"
        service_name = "scaler-svc"

        [top]
        monitor_address = "tcp://127.0.0.1:8518"

        [gui]
        gui_address = "127.0.0.1:8081"
        """;

    [Fact]
    public void FromToml_FullStack_BindsEverySectionInOrder()
    {
        var stack = StackConfiguration.FromToml(TomlConfigFile.Parse(FullStack, "stack.toml"), "stack.toml");

        Assert.Equal("tcp://127.0.0.1:8517", stack.ObjectStorageServer!.BindAddress);
        Assert.Equal("tcp://127.0.0.1:8518", stack.Scheduler!.MonitorAddress);
        Assert.Equal(2, stack.WorkerManagers.Count);
        var native = Assert.IsType<NativeWorkerManagerOptions>(stack.WorkerManagers[0]);
        Assert.Equal(NativeWorkerManagerMode.Fixed, native.Mode);
        Assert.Equal(8, native.Manager.MaxTaskConcurrency);
        var symphony = Assert.IsType<SymphonyWorkerManagerOptions>(stack.WorkerManagers[1]);
        Assert.Equal("scaler-svc", symphony.ServiceName);
        Assert.Equal("symphony", symphony.Type);
        Assert.Equal("tcp://127.0.0.1:8518", stack.Top!.MonitorAddress);
        Assert.Equal(["gui"], stack.IgnoredSections);
        Assert.False(stack.IsEmpty);
    }

    [Fact]
    public void FromToml_SingleWorkerManagerTable_CountsAsOneEntry()
    {
        var toml = "[worker_manager]\ntype = \"symphony\"\nscheduler_address = \"tcp://127.0.0.1:1\"\nworker_manager_id = \"a\"\nservice_name = \"s\"\n";

        var stack = StackConfiguration.FromToml(TomlConfigFile.Parse(toml, "s.toml"), "s.toml");

        Assert.Single(stack.WorkerManagers);
    }

    [Fact]
    public void FromToml_UnknownWorkerManagerType_ListsKnownTypes()
    {
        var toml = "[[worker_manager]]\ntype = \"baremetal\"\n";

        var error = Assert.Throws<ConfigurationException>(
            () => StackConfiguration.FromToml(TomlConfigFile.Parse(toml, "s.toml"), "s.toml"));

        Assert.Contains("unknown type \"baremetal\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("baremetal_native", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromToml_WorkerManagerWithoutType_IsAnError()
    {
        var toml = "[[worker_manager]]\nworker_manager_id = \"x\"\n";

        var error = Assert.Throws<ConfigurationException>(
            () => StackConfiguration.FromToml(TomlConfigFile.Parse(toml, "s.toml"), "s.toml"));

        Assert.Contains("[[worker_manager]] #1", error.Message, StringComparison.Ordinal);
        Assert.Contains("'type'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromToml_UnknownKeyInSecondEntry_NamesTheEntry()
    {
        var toml = """
            [[worker_manager]]
            type = "symphony"
            scheduler_address = "tcp://127.0.0.1:1"
            worker_manager_id = "a"
            service_name = "s"

            [[worker_manager]]
            type = "baremetal_native"
            scheduler_address = "tcp://127.0.0.1:1"
            worker_manager_id = "b"
            service_name = "only symphony has this"
            """;

        var error = Assert.Throws<ConfigurationException>(
            () => StackConfiguration.FromToml(TomlConfigFile.Parse(toml, "s.toml"), "s.toml"));

        Assert.Contains("unknown key 'service_name' in [[worker_manager]] #2 (type = \"baremetal_native\")", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromToml_MisspelledSection_SuggestsTheRightOne()
    {
        var error = Assert.Throws<ConfigurationException>(
            () => StackConfiguration.FromToml(TomlConfigFile.Parse("[schedular]\nio_threads = 1\n", "s.toml"), "s.toml"));

        Assert.Contains("unknown section 'schedular'", error.Message, StringComparison.Ordinal);
        Assert.Contains("[scheduler]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromToml_PositionalMissingFromFile_IsAnError()
    {
        var error = Assert.Throws<ConfigurationException>(
            () => StackConfiguration.FromToml(TomlConfigFile.Parse("[object_storage_server]\nidentity = \"x\"\n", "s.toml"), "s.toml"));

        Assert.Contains("bind_address", error.Message, StringComparison.Ordinal);
        Assert.Contains("[object_storage_server] of s.toml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromToml_NoSections_IsEmpty()
    {
        var stack = StackConfiguration.FromToml(TomlConfigFile.Parse("", "s.toml"), "s.toml");

        Assert.True(stack.IsEmpty);
    }

    [Fact]
    public void FromToml_TlsCa_IsReadFromEverySection()
    {
        var stack = StackConfiguration.FromToml(
            TomlConfigFile.Parse(
                """
                [object_storage_server]
                bind_address = "tls://127.0.0.1:2346"
                tls_cert = "storage.pem"
                tls_key = "storage.key"
                tls_ca = "ca.pem"

                [scheduler]
                bind_address = "tls://127.0.0.1:2345"
                object_storage_address = "tls://127.0.0.1:2346"
                security = { tls_cert = "scheduler.pem", tls_key = "scheduler.key", tls_ca = "ca.pem" }

                [[worker_manager]]
                type = "baremetal_native"
                scheduler_address = "tls://127.0.0.1:2345"
                tls_cert = "worker.pem"
                tls_key = "worker.key"
                tls_ca = "ca.pem"

                [[worker_manager]]
                type = "symphony"
                scheduler_address = "tls://127.0.0.1:2345"
                service_name = "S"
                tls_ca = "ca.pem"

                [top]
                monitor_address = "tls://127.0.0.1:2347"
                tls_ca = "ca.pem"
                """,
                "stack.toml"),
            "stack.toml");

        Assert.Equal("ca.pem", stack.ObjectStorageServer!.Security.TlsCaPath);
        Assert.Equal("scheduler.pem", stack.Scheduler!.Security.TlsCertificatePath);
        Assert.Equal("ca.pem", stack.Scheduler.Security.TlsCaPath);
        Assert.Equal("ca.pem", Assert.IsType<NativeWorkerManagerOptions>(stack.WorkerManagers[0]).Security.TlsCaPath);
        Assert.Equal("ca.pem", Assert.IsType<SymphonyWorkerManagerOptions>(stack.WorkerManagers[1]).Security.TlsCaPath);
        Assert.Equal("ca.pem", stack.Top!.Security.TlsCaPath);
    }
}
