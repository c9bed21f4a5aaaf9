using System.CommandLine;
using System.Net.Sockets;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Sections;
using Scaler.IO.Ymq;

namespace Scaler.Hosting.Tests.CommandLine;

/// <summary>An address that cannot be used ends a tool with one line naming it and exit code 2.</summary>
public sealed class ToolCommandAddressTests : IDisposable
{
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    private bool _ran;

    public void Dispose()
    {
        _output.Dispose();
        _error.Dispose();
    }

    [Fact]
    public async Task BindFailure_IsOneLineAndExitCode2()
    {
        var code = await RunAsync(
            ["top", "tcp://127.0.0.1:1"],
            () => throw new YmqAddressException(SocketError.AddressAlreadyInUse, "cannot bind tcp://127.0.0.1:1: address already in use"));

        Assert.Equal(ExitCodes.AddressUnusable, code);
        Assert.Equal("error: cannot bind tcp://127.0.0.1:1: address already in use", _error.ToString().Trim());
    }

    [Fact]
    public async Task ConnectAddressThatDoesNotResolve_StopsBeforeTheToolRuns()
    {
        var code = await RunAsync(["top", "tcp://no-such-host.invalid:8518"], () => Task.FromResult(0));

        Assert.Equal(ExitCodes.AddressUnusable, code);
        Assert.False(_ran);
        Assert.StartsWith(
            "error: cannot connect to tcp://no-such-host.invalid:8518: host 'no-such-host.invalid' not found", _error.ToString(), StringComparison.Ordinal);
        Assert.Single(_error.ToString().Trim().Split('\n'));
    }

    [Fact]
    public async Task ConnectAddressAsAnIpLiteral_IsNotLookedUp_AndTheToolRuns()
    {
        var code = await RunAsync(["top", "tcp://127.0.0.1:8518"], () => Task.FromResult(5));

        Assert.Equal(5, code);
        Assert.True(_ran);
    }

    private Task<int> RunAsync(string[] args, Func<Task<int>> tool)
    {
        var root = new RootCommand("test")
        {
            ToolCommand.Create(
                "top",
                "test",
                TopOptions.Section,
                _ => Scaler.Hosting.Options.LoggingOptions.Default with { Paths = [] },
                "top",
                (_, _, _) =>
                {
                    _ran = true;
                    return tool();
                },
                connectsTo: options => [options.MonitorAddress]),
        };
        return CliRunner.RunAsync(root, args, _output, _error);
    }
}
