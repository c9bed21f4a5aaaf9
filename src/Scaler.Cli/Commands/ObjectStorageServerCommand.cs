using System.CommandLine;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Sections;

namespace Scaler.Cli.Commands;

/// <summary><c>scaler-cli object-storage-server ADDRESS</c> (the reference's <c>scaler_object_storage_server</c>).</summary>
internal static class ObjectStorageServerCommand
{
    public const string Name = "object-storage-server";

    /// <summary>The server's run hook; Scaler.ObjectStorage plugs its server in here.</summary>
    public static ToolEntryPoint<ObjectStorageServerOptions> Run { get; } =
        NotBuiltYet.EntryPoint<ObjectStorageServerOptions>("object storage server");

    public static Command Create(ToolEntryPoint<ObjectStorageServerOptions>? run = null) => ToolCommand.Create(
        Name,
        "Run the object storage server",
        ObjectStorageServerOptions.Section,
        options => options.Logging,
        processName: "object_storage_server",
        run ?? Run);
}
