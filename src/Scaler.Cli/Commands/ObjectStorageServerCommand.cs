using System.CommandLine;
using Microsoft.Extensions.Logging;
using Scaler.Hosting.CommandLine;
using Scaler.IO.Addressing;
using Scaler.ObjectStorage.Server;
using CommandOptions = Scaler.Hosting.Sections.ObjectStorageServerOptions;

namespace Scaler.Cli.Commands;

/// <summary><c>scaler-cli object-storage-server ADDRESS</c> (the reference's <c>scaler_object_storage_server</c>).</summary>
internal static class ObjectStorageServerCommand
{
    public const string Name = "object-storage-server";

    /// <summary>Serves until the shutdown token fires (Ctrl-C or SIGTERM), then exits with 0.</summary>
    public static ToolEntryPoint<CommandOptions> Run { get; } = RunAsync;

    public static Command Create(ToolEntryPoint<CommandOptions>? run = null) => ToolCommand.Create(
        Name,
        "Run the object storage server",
        CommandOptions.Section,
        options => options.Logging,
        processName: "object_storage_server",
        run ?? Run);

    private static async Task<int> RunAsync(CommandOptions options, ILoggerFactory loggerFactory, CancellationToken shutdown)
    {
        var serverOptions = new ObjectStorageServerOptions
        {
            Address = ScalerAddress.Parse(options.BindAddress),
            Identity = options.Identity,
            TlsCertificatePath = options.Security.TlsCertificatePath,
            TlsKeyPath = options.Security.TlsKeyPath,
        };

        var server = await ObjectStorageServer.StartAsync(serverOptions, loggerFactory, shutdown).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, shutdown).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // Ctrl-C or SIGTERM: the normal way to stop a server.
        }
        finally
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        return 0;
    }
}
