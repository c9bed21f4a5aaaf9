using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Scaler.Protocol.Messages;

namespace Scaler.Benchmarks.PythonClient;

/// <summary>
/// Runs <c>bench/python/reference_client_objects.py</c> (copied next to this assembly, under <see cref="ScriptFolder"/>)
/// with a Python that has cloudpickle, to make task objects and read result objects exactly as the reference Python
/// client does. Each call is one short process: one JSON request on stdin, one JSON answer on stdout, bounded by
/// <see cref="Timeout"/>; a failure throws <see cref="InvalidOperationException"/> with the script's stderr.
/// </summary>
public sealed class ReferenceClientObjects
{
    /// <summary>Debian's interpreter, which has python3-cloudpickle and python3-tblib; the first python3 on PATH may not.</summary>
    public const string DefaultInterpreter = "/usr/bin/python3";

    public const string ScriptFolder = "reference-client";

    public const string ScriptName = "reference_client_objects.py";

    /// <summary>What to install when the interpreter or its packages are missing.</summary>
    public const string InstallHint = "apt-get install python3-cloudpickle python3-tblib";

    public ReferenceClientObjects(string? interpreter = null, TimeSpan? timeout = null)
    {
        Interpreter = interpreter ?? (File.Exists(DefaultInterpreter) ? DefaultInterpreter : "python3");
        Timeout = timeout ?? TimeSpan.FromSeconds(60);
        ScriptPath = FindScript();
    }

    public string Interpreter { get; }

    public TimeSpan Timeout { get; }

    public string ScriptPath { get; }

    /// <summary>
    /// Runs <paramref name="source"/> as the user's <c>__main__</c> (compiled under <paramref name="fileName"/>, which
    /// ends up in the pickled code objects) and pickles each task's function and arguments as the reference does.
    /// </summary>
    public async Task<PythonTaskObjects> BuildAsync(
        string source, IReadOnlyList<PythonTaskCall> tasks, string? fileName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(tasks);
        var request = Request(writer =>
        {
            writer.WriteString("op", "build");
            writer.WriteString("source", source);
            if (fileName is not null)
            {
                writer.WriteString("file", fileName);
            }

            writer.WriteStartArray("tasks");
            foreach (var task in tasks)
            {
                writer.WriteStartObject();
                writer.WriteString("function", task.Function);
                writer.WriteStartArray("args");
                foreach (var argument in task.Arguments)
                {
                    writer.WriteStringValue(argument);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });

        using var answer = await RunAsync(request, cancellationToken);
        var root = answer.RootElement;
        var functions = root.GetProperty("functions").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetBytesFromBase64(), StringComparer.Ordinal);
        var names = root.GetProperty("function_names").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString() ?? p.Name, StringComparer.Ordinal);
        var built = root.GetProperty("tasks").EnumerateArray()
            .Select(t => new PythonCallObjects(
                t.GetProperty("function").GetString() ?? "",
                t.GetProperty("args").EnumerateArray().Select(a => a.GetBytesFromBase64()).ToArray()))
            .ToArray();
        return new PythonTaskObjects(root.GetProperty("serializer").GetBytesFromBase64(), functions, names, built);
    }

    /// <summary>Reads result objects as the reference client does: a success with its serializer, a failure with <c>pickle.loads</c>.</summary>
    public async Task<IReadOnlyList<DecodedPythonResult>> DecodeAsync(
        IReadOnlyList<PythonResultObject> results, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        var request = Request(writer =>
        {
            writer.WriteString("op", "decode");
            writer.WriteStartArray("results");
            foreach (var result in results)
            {
                writer.WriteStartObject();
                writer.WriteString("type", result.ResultType switch
                {
                    TaskResultType.Success => "success",
                    TaskResultType.Failed => "failed",
                    _ => throw new ArgumentException($"only success and failed results have an object, not {result.ResultType}", nameof(results)),
                });
                writer.WriteBase64String("data", result.Data);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });

        using var answer = await RunAsync(request, cancellationToken);
        return answer.RootElement.GetProperty("results").EnumerateArray().Select(Decoded).ToArray();
    }

    /// <summary>One result: <see cref="DecodeAsync"/> of a single object.</summary>
    public async Task<DecodedPythonResult> DecodeAsync(TaskResultType resultType, byte[] data, CancellationToken cancellationToken = default) =>
        (await DecodeAsync([new PythonResultObject(resultType, data)], cancellationToken))[0];

    private static DecodedPythonResult Decoded(JsonElement result)
    {
        static string? Text(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        JsonElement? value = result.TryGetProperty("value_json", out var json) && json.ValueKind != JsonValueKind.Null ? json.Clone() : null;
        return new DecodedPythonResult(
            Text(result, "repr"), value, Text(result, "exception_type"), Text(result, "message"), Text(result, "traceback"), Text(result, "load_error"));
    }

    private static byte[] Request(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string FindScript()
    {
        var folders = new[] { Path.GetDirectoryName(typeof(ReferenceClientObjects).Assembly.Location), AppContext.BaseDirectory };
        foreach (var folder in folders.Where(f => !string.IsNullOrEmpty(f)).Distinct(StringComparer.Ordinal))
        {
            var path = Path.Combine(folder!, ScriptFolder, ScriptName);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException(
            $"{ScriptName} is not in {ScriptFolder}/ next to {typeof(ReferenceClientObjects).Assembly.Location} " +
            "(bench/Scaler.Benchmarks.csproj copies bench/python/*.py there)");
    }

    private async Task<JsonDocument> RunAsync(byte[] request, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(ScriptPath);
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"cannot start the Python interpreter '{Interpreter}' ({e.Message}); the reference client's objects need " +
                $"/usr/bin/python3 with cloudpickle: {InstallHint}", e);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        string output;
        string errors;
        try
        {
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(request, timeout.Token);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The script exited before reading its request (a failed import): its exit code and stderr say why.
            }

            await process.WaitForExitAsync(timeout.Token);
            output = await stdout;
            errors = await stderr;
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new TimeoutException($"{Interpreter} {ScriptPath} did not answer within {Timeout.TotalSeconds:0.#} s");
        }

        if (process.ExitCode != 0)
        {
            var hint = errors.Contains("No module named 'cloudpickle'", StringComparison.Ordinal) ||
                       errors.Contains("No module named 'tblib'", StringComparison.Ordinal)
                ? $" ({Interpreter} lacks cloudpickle or tblib: {InstallHint})"
                : "";
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"{Interpreter} {ScriptPath} exited with code {process.ExitCode}{hint}:{Environment.NewLine}{errors}"));
        }

        try
        {
            return JsonDocument.Parse(output);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{ScriptPath} answered something that is not JSON ({e.Message}): {output}{errors}", e);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
