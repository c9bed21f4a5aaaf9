using System.Diagnostics;

namespace Scaler.Protocol.Tests.Support;

/// <summary>Runs the official <c>capnp</c> tool (installed by scripts/install-deps.sh) as an independent decoder.</summary>
internal static class CapnpTool
{
    /// <summary>The text form of <paramref name="message"/> as printed by <c>capnp decode</c>.</summary>
    public static string Decode(byte[] message, string root)
    {
        var file = root is "ObjectRequestHeader" or "ObjectResponseHeader" ? "object_storage.capnp" : "message.capnp";
        var start = new ProcessStartInfo("capnp")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Schema,
        };
        start.Environment["PWD"] = RepoPaths.Schema;
        start.ArgumentList.Add("decode");
        start.ArgumentList.Add("--short");
        start.ArgumentList.Add(file);
        start.ArgumentList.Add(root);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start capnp");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(message);
        process.StandardInput.Close();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException("capnp decode did not finish in 30 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"capnp decode failed ({process.ExitCode}): {error.Result}");
        }

        return output.Result;
    }

    public static string RootOf(string vectorName) => vectorName switch
    {
        _ when vectorName.StartsWith("object-request-", StringComparison.Ordinal) => "ObjectRequestHeader",
        _ when vectorName.StartsWith("object-response-", StringComparison.Ordinal) => "ObjectResponseHeader",
        _ => "Message",
    };
}
