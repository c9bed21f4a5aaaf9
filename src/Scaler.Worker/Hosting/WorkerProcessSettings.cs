using System.Globalization;
using Scaler.IO.Addressing;
using Scaler.IO.Tls;

namespace Scaler.Worker.Hosting;

/// <summary>
/// Everything a worker process needs, and its command line for the hidden <c>scaler-cli worker</c> sub-command:
/// <c>worker key=value ...</c> (readable in a process listing, no quoting rules beyond the OS's).
/// </summary>
public sealed record WorkerProcessSettings
{
    public const string SubCommand = "worker";

    public required string SchedulerAddress { get; init; }

    public string? ObjectStorageAddress { get; init; }

    /// <summary>The worker's name; its identity is <c>Worker|&lt;name&gt;|&lt;hex&gt;</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Capabilities as the CLI writes them: <c>linux,cpu=4</c> (a bare name has the value -1).</summary>
    public string Capabilities { get; init; } = string.Empty;

    public int TaskQueueSize { get; init; } = 1000;

    public int HeartbeatIntervalSeconds { get; init; } = 2;

    public int TaskTimeoutSeconds { get; init; }

    public int DeathTimeoutSeconds { get; init; } = 300;

    public string WorkerManagerId { get; init; } = string.Empty;

    /// <summary>A <c>Microsoft.Extensions.Logging.LogLevel</c> name.</summary>
    public string LogLevel { get; init; } = "Information";

    /// <summary>Log destinations, comma-separated (default standard output).</summary>
    public string LogPaths { get; init; } = "/dev/stdout";

    /// <summary>
    /// The Python interpreter the worker's processors run Python tasks with (<c>--python-executable</c>), or null:
    /// the processor then uses <c>$SCALER_PYTHON_EXECUTABLE</c>, else <c>python3</c>. Written only when set.
    /// </summary>
    public string? PythonExecutable { get; init; }

    /// <summary>
    /// The manager's TLS files (<c>tls-cert=</c>, <c>tls-key=</c>, <c>tls-ca=</c>, each written only when set): the
    /// worker presents the certificate to the scheduler and object storage and checks them against the CA, and gives
    /// all three to its processors.
    /// </summary>
    public TlsSettings Tls { get; init; } = TlsSettings.None;

    /// <summary>The arguments after the executable: the sub-command, then <c>key=value</c> pairs.</summary>
    public IReadOnlyList<string> ToArguments()
    {
        var arguments = new List<string>
        {
            SubCommand,
            $"scheduler={SchedulerAddress}",
            $"name={Name}",
            $"queue={TaskQueueSize.ToString(CultureInfo.InvariantCulture)}",
            $"heartbeat={HeartbeatIntervalSeconds.ToString(CultureInfo.InvariantCulture)}",
            $"task-timeout={TaskTimeoutSeconds.ToString(CultureInfo.InvariantCulture)}",
            $"death-timeout={DeathTimeoutSeconds.ToString(CultureInfo.InvariantCulture)}",
            $"manager={WorkerManagerId}",
            $"capabilities={Capabilities}",
            $"log-level={LogLevel}",
            $"log-paths={LogPaths}",
        };
        if (ObjectStorageAddress is not null)
        {
            arguments.Add($"storage={ObjectStorageAddress}");
        }

        if (PythonExecutable is not null)
        {
            arguments.Add($"python-executable={PythonExecutable}");
        }

        AddIfSet(arguments, "tls-cert", Tls.CertificatePath);
        AddIfSet(arguments, "tls-key", Tls.KeyPath);
        AddIfSet(arguments, "tls-ca", Tls.CaPath);
        return arguments;
    }

    /// <summary>Reads the <c>key=value</c> pairs (without the sub-command). Throws <see cref="FormatException"/>.</summary>
    public static WorkerProcessSettings Parse(IEnumerable<string> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"worker argument '{pair}' is not key=value");
            }

            values[pair[..equals]] = pair[(equals + 1)..];
        }

        string Required(string key) => values.TryGetValue(key, out var v) && v.Length > 0
            ? v
            : throw new FormatException($"worker argument '{key}=' is missing");
        int Number(string key, int fallback) => values.TryGetValue(key, out var v)
            ? int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"worker argument '{key}={v}' is not an integer")
            : fallback;

        return new WorkerProcessSettings
        {
            SchedulerAddress = Required("scheduler"),
            Name = Required("name"),
            ObjectStorageAddress = values.GetValueOrDefault("storage"),
            Capabilities = values.GetValueOrDefault("capabilities") ?? string.Empty,
            TaskQueueSize = Number("queue", 1000),
            HeartbeatIntervalSeconds = Number("heartbeat", 2),
            TaskTimeoutSeconds = Number("task-timeout", 0),
            DeathTimeoutSeconds = Number("death-timeout", 300),
            WorkerManagerId = values.GetValueOrDefault("manager") ?? string.Empty,
            LogLevel = values.GetValueOrDefault("log-level") ?? "Information",
            LogPaths = values.GetValueOrDefault("log-paths") ?? "/dev/stdout",
            PythonExecutable = values.GetValueOrDefault("python-executable") is { Length: > 0 } python ? python : null,
            Tls = new TlsSettings
            {
                CertificatePath = NonEmpty(values.GetValueOrDefault("tls-cert")),
                KeyPath = NonEmpty(values.GetValueOrDefault("tls-key")),
                CaPath = NonEmpty(values.GetValueOrDefault("tls-ca")),
            },
        };
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static void AddIfSet(List<string> arguments, string key, string? value)
    {
        if (value is not null)
        {
            arguments.Add($"{key}={value}");
        }
    }

    /// <summary>The capability string as a dictionary (a bare name means -1, as the reference).</summary>
    public static IReadOnlyDictionary<string, long> ParseCapabilities(string text)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var item in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                result[item] = -1;
            }
            else
            {
                result[item[..equals]] = long.Parse(item[(equals + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture);
            }
        }

        return result;
    }

    /// <summary>The reverse of <see cref="ParseCapabilities"/>.</summary>
    public static string FormatCapabilities(IReadOnlyDictionary<string, long> capabilities)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        return string.Join(',', capabilities.Select(c => c.Value == -1 ? c.Key : $"{c.Key}={c.Value.ToString(CultureInfo.InvariantCulture)}"));
    }

    /// <summary>The agent options these settings describe, with a fresh identity.</summary>
    public WorkerAgentOptions ToAgentOptions(TimeProvider? timeProvider = null) => new()
    {
        SchedulerAddress = ScalerAddress.Parse(SchedulerAddress),
        ObjectStorageAddress = ObjectStorageAddress is null ? null : ScalerAddress.Parse(ObjectStorageAddress),
        Identity = WorkerIdentity.Generate(Name),
        Capabilities = ParseCapabilities(Capabilities),
        TaskQueueSize = TaskQueueSize,
        HeartbeatInterval = TimeSpan.FromSeconds(HeartbeatIntervalSeconds),
        TaskTimeout = TimeSpan.FromSeconds(TaskTimeoutSeconds),
        DeathTimeout = TimeSpan.FromSeconds(DeathTimeoutSeconds),
        WorkerManagerId = WorkerManagerId,
        TimeProvider = timeProvider ?? TimeProvider.System,
        Tls = Tls,
    };
}
