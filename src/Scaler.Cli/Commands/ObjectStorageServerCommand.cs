using System.CommandLine;
using Microsoft.Extensions.Logging;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Sections;
using Scaler.IO.Addressing;
using Scaler.ObjectStorage.Server;
using ServerOptions = Scaler.ObjectStorage.Server.ObjectStorageServerOptions;

namespace Scaler.Cli.Commands;

/// <summary><c>scaler-cli object-storage-server ADDRESS</c> (the reference's <c>scaler_object_storage_server</c>).</summary>
internal static partial class ObjectStorageServerCommand
{
    public const string Name = "object-storage-server";

    /// <summary>The server's run hook: serves until Ctrl-C/SIGTERM.</summary>
    public static ToolEntryPoint<Hosting.Sections.ObjectStorageServerOptions> Run { get; } = RunAsync;

    public static Command Create(ToolEntryPoint<Hosting.Sections.ObjectStorageServerOptions>? run = null) => ToolCommand.Create(
        Name,
        "Run the object storage server",
        Hosting.Sections.ObjectStorageServerOptions.Section,
        options => options.Logging,
        processName: "object_storage_server",
        run ?? Run);

    private static async Task<int> RunAsync(
        Hosting.Sections.ObjectStorageServerOptions options, ILoggerFactory loggerFactory, CancellationToken shutdown)
    {
        var logger = loggerFactory.CreateLogger("Scaler.Cli");
        ScalerAddress address;
        try
        {
            address = ScalerAddress.Parse(options.BindAddress);
        }
        catch (FormatException error)
        {
            LogBadAddress(logger, error.Message);
            return ExitCodes.UsageError;
        }

        if (options.Security.TlsCaPath is not null && !address.IsSecure)
        {
            // Certificates cannot be checked over plain TCP: starting would leave open a store its operator meant closed.
            LogBadAddress(logger, $"--tls-ca/-tca is set but the bind address {address} is not tls://: certificates can only be required over TLS");
            return ExitCodes.UsageError;
        }

        var server = await ObjectStorageServer.StartAsync(
            new ServerOptions
            {
                Address = address,
                Identity = options.Identity,
                TlsCertificatePath = options.Security.TlsCertificatePath,
                TlsKeyPath = options.Security.TlsKeyPath,
                TlsCaPath = options.Security.TlsCaPath,
                MaxObjectBytes = options.Limits.MaxObjectBytes,
                MaxTotalBytes = options.Limits.MaxTotalBytes > 0 ? options.Limits.MaxTotalBytes : ServerOptions.DefaultMaxTotalBytes,
                ConfigureTransport = transport => options.Transport.ApplyTo(transport),
            },
            loggerFactory,
            shutdown).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            try
            {
                await Task.Delay(Timeout.Infinite, shutdown).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C / SIGTERM.
            }
        }

        return ExitCodes.Success;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "object storage server: {Reason}")]
    private static partial void LogBadAddress(ILogger logger, string reason);
}
