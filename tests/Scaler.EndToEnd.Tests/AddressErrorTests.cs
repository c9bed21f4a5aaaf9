using System.Net;
using System.Net.Sockets;
using Scaler.EndToEnd.Tests.Support;
using Scaler.Testing;

namespace Scaler.EndToEnd.Tests;

/// <summary>
/// An address that cannot be used (a port in use, a host name that does not resolve) ends every tool that binds or
/// connects at start with one line naming it and exit code 2, never a stack trace.
/// </summary>
public sealed class AddressErrorTests
{
    private const string Unresolvable = "no-such-host.invalid";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Scheduler_OnAPortInUse_ExitsWith2_NamingTheAddress()
    {
        var port = FreePorts.FindConsecutive(3);
        using var holder = Listen(port);

        await using var scheduler = CliProcess.Start("scheduler", $"tcp://127.0.0.1:{port}");

        await AssertOneLineErrorAsync(scheduler, $"error: cannot bind tcp://127.0.0.1:{port}: address already in use");
    }

    [Fact]
    public async Task Scheduler_WhoseEmbeddedObjectStoragePortIsInUse_ExitsWith2_NamingThatAddress()
    {
        var port = FreePorts.FindConsecutive(3);
        using var holder = Listen(port + 1);

        await using var scheduler = CliProcess.Start("scheduler", $"tcp://127.0.0.1:{port}");

        await AssertOneLineErrorAsync(scheduler, $"error: cannot bind tcp://127.0.0.1:{port + 1}: address already in use");
    }

    [Fact]
    public async Task ObjectStorageServer_OnAPortInUse_ExitsWith2_NamingTheAddress()
    {
        var port = FreePorts.FindOne();
        using var holder = Listen(port);

        await using var server = CliProcess.Start("object-storage-server", $"tcp://127.0.0.1:{port}");

        await AssertOneLineErrorAsync(server, $"error: cannot bind tcp://127.0.0.1:{port}: address already in use");
    }

    [Fact]
    public async Task Scheduler_BindingAHostThatDoesNotResolve_ExitsWith2_NamingTheAddress()
    {
        await using var scheduler = CliProcess.Start("scheduler", $"tcp://{Unresolvable}:8516");

        await AssertOneLineErrorAsync(scheduler, $"error: cannot bind tcp://{Unresolvable}:8516: host not found");
    }

    [Fact]
    public async Task Top_WithAMonitorHostThatDoesNotResolve_ExitsWith2_NamingTheAddress()
    {
        await using var top = CliProcess.Start("top", $"tcp://{Unresolvable}:8518");

        await AssertOneLineErrorAsync(top, $"error: cannot connect to tcp://{Unresolvable}:8518: host '{Unresolvable}' not found");
    }

    [Fact]
    public async Task WorkerManager_WithASchedulerHostThatDoesNotResolve_ExitsWith2_NamingTheAddress()
    {
        await using var manager = CliProcess.Start(
            "worker-manager", "baremetal_native", $"tcp://{Unresolvable}:8516", "--mode", "fixed", "--max-task-concurrency", "1");

        await AssertOneLineErrorAsync(manager, $"error: cannot connect to tcp://{Unresolvable}:8516: host '{Unresolvable}' not found");
    }

    private static async Task AssertOneLineErrorAsync(CliProcess process, string expectedStart)
    {
        Assert.Equal(2, await process.WaitForExitAsync(Bound));
        var errors = process.Lines.Where(line => line.StartsWith("error:", StringComparison.Ordinal)).ToList();
        var error = Assert.Single(errors);
        Assert.StartsWith(expectedStart, error, StringComparison.Ordinal);
        Assert.DoesNotContain(process.Lines, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain(process.Lines, line => line.Contains("Exception", StringComparison.Ordinal));
    }

    private static Socket Listen(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        socket.Listen();
        return socket;
    }
}
