using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Scaler.Functions;

/// <summary>
/// Why a task failed, as written into its result object: the exception's type full name, message, stack trace and
/// inner errors. The bytes are UTF-8 JSON (layout in docs/functions.md), so any language can read them.
/// </summary>
public sealed class RemoteError
{
    public const string FormatName = "scaler.net/error";

    public const int LayoutVersion = 1;

    /// <summary>Error payloads larger than this are not parsed.</summary>
    public const int MaxLength = 16 * 1024 * 1024;

    private const int MaxInnerDepth = 8;

    public RemoteError(string typeName, string message, string stackTrace, IReadOnlyList<RemoteError>? innerErrors = null)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(stackTrace);
        TypeName = typeName;
        Message = message;
        StackTrace = stackTrace;
        InnerErrors = innerErrors ?? [];
    }

    /// <summary>Full name of the exception type on the run side, for example <c>System.InvalidOperationException</c>.</summary>
    public string TypeName { get; }

    public string Message { get; }

    public string StackTrace { get; }

    public IReadOnlyList<RemoteError> InnerErrors { get; }

    public static RemoteError FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return FromException(exception, 0);
    }

    private static RemoteError FromException(Exception exception, int depth)
    {
        IEnumerable<Exception> inner = exception is AggregateException aggregate
            ? aggregate.InnerExceptions
            : exception.InnerException is { } single ? [single] : [];
        var innerErrors = depth >= MaxInnerDepth ? [] : inner.Select(e => FromException(e, depth + 1)).ToArray();
        return new RemoteError(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, exception.StackTrace ?? "", innerErrors);
    }

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("format", FormatName);
            writer.WriteNumber("version", LayoutVersion);
            WriteBody(writer, this);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void WriteBody(Utf8JsonWriter writer, RemoteError error)
    {
        writer.WriteString("type", error.TypeName);
        writer.WriteString("message", error.Message);
        writer.WriteString("stackTrace", error.StackTrace);
        writer.WriteStartArray("inner");
        foreach (var inner in error.InnerErrors)
        {
            writer.WriteStartObject();
            WriteBody(writer, inner);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Reads an error payload written by <see cref="ToBytes"/>; false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out RemoteError? error)
    {
        error = null;
        if (bytes.Length is 0 or > MaxLength || bytes[0] != (byte)'{')
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = (2 * MaxInnerDepth) + 4 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String
                || format.GetString() != FormatName
                || !root.TryGetProperty("version", out var version) || !version.TryGetInt32(out var layout) || layout != LayoutVersion)
            {
                return false;
            }

            error = ReadBody(root);
            return error is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads a failed task's result object whatever wrote it: ours parses; anything else (for example a pickled
    /// Python exception from a Python worker) becomes an error that says so. Never throws.
    /// </summary>
    public static RemoteError Read(ReadOnlySpan<byte> bytes)
    {
        if (TryParse(bytes, out var error))
        {
            return error;
        }

        var what = bytes.Length >= 2 && bytes[0] == 0x80 && bytes[1] is >= 2 and <= 5
            ? "it looks like a pickled Python exception (the task ran on a Python worker)"
            : $"it is {bytes.Length} bytes that are not a Scaler.NET error payload";
        return new RemoteError("Scaler.Functions.UnreadableRemoteError", $"the task failed, but its error cannot be read here: {what}", "");
    }

    private static RemoteError? ReadBody(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        string? Text(string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        var type = Text("type");
        var message = Text("message");
        if (type is null || message is null)
        {
            return null;
        }

        var inner = new List<RemoteError>();
        if (element.TryGetProperty("inner", out var innerArray) && innerArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in innerArray.EnumerateArray())
            {
                if (ReadBody(item) is { } innerError)
                {
                    inner.Add(innerError);
                }
            }
        }

        return new RemoteError(type, message, Text("stackTrace") ?? "", inner);
    }

    public TaskFailedException ToException() => new(this);

    public override string ToString() => $"{TypeName}: {Message}";
}
