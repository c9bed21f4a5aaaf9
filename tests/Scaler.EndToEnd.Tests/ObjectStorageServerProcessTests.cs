using Microsoft.Extensions.Logging.Abstractions;
using Scaler.EndToEnd.Tests.Support;
using Scaler.IO.Addressing;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.Testing;

namespace Scaler.EndToEnd.Tests;

/// <summary><c>scaler_object_storage_server</c> as a user runs it: a real process on 127.0.0.1.</summary>
public sealed class ObjectStorageServerProcessTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Server_StoresObjects_AndExitsCleanlyOnSigterm()
    {
        var port = FreePorts.FindConsecutive(1);
        await using var server = CliProcess.Start("object-storage-server", $"tcp://127.0.0.1:{port}");
        await server.WaitForLineAsync("listening on", Bound);

        using var cts = new CancellationTokenSource(Bound);
        await using (var client = await ObjectStorageClient.ConnectAsync(
            ScalerAddress.Parse($"tcp://127.0.0.1:{port}"), "Client|e2e", NullLoggerFactory.Instance, cts.Token))
        {
            var id = ObjectId.NewUnique(ObjectOwner.FromClientIdentity("Client|e2e"u8));
            await client.SetAsync(id, "hello"u8.ToArray(), cts.Token);
            var back = await client.GetAsync(id, cts.Token);
            Assert.Equal("hello"u8.ToArray(), back.ToArray());
        }

        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync(Bound));
        Assert.Contains(server.Lines, line => line.Contains("stopped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Server_WithBadAddress_ExitsWithUsageError()
    {
        await using var server = CliProcess.Start("object-storage-server", "tcp//nowhere");
        Assert.Equal(2, await server.WaitForExitAsync(Bound));
        Assert.Contains("tcp//nowhere", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_WithUnknownFlag_ExitsWithUsageError()
    {
        await using var server = CliProcess.Start("object-storage-server", "tcp://127.0.0.1:0", "--no-such-flag");
        Assert.Equal(2, await server.WaitForExitAsync(Bound));
        Assert.Contains("--no-such-flag", server.Output, StringComparison.Ordinal);
    }
}
