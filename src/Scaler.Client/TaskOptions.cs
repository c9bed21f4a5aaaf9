using System.Globalization;
using System.Text;
using Scaler.Internal;

namespace Scaler;

/// <summary>
/// How the cluster treats the tasks of one submitting call (<c>Submit</c>, <c>Map</c>, <c>Starmap</c>,
/// <c>SubmitGraph</c> and their async forms): every task of the call carries the same options. <c>new TaskOptions()</c> (or <see cref="Default"/>, or passing nothing) sends what the reference client
/// sends: no capabilities, priority 0.
/// </summary>
/// <example>
/// <code>
/// var onDotnetWorkers = new TaskOptions { Capabilities = new Dictionary&lt;string, long&gt; { ["dotnet"] = TaskOptions.Present } };
/// IReadOnlyList&lt;int&gt; squares = client.Map(Square, items, onDotnetWorkers);
/// var urgent = onDotnetWorkers with { Priority = 10 };
/// </code>
/// </example>
/// <remarks>
/// Immutable: <see cref="Capabilities"/> is copied when it is set, so changing the dictionary afterwards changes
/// nothing. Equality compares the capabilities by content. The options are checked by <see cref="Validate"/>, which
/// every submitting call runs before it packages or sends anything.
/// </remarks>
public sealed record TaskOptions
{
    /// <summary>The longest capability name accepted, in UTF-16 characters.</summary>
    public const int MaxCapabilityNameLength = 256;

    /// <summary>
    /// The value of a capability given by name alone (<c>--per-worker-capabilities "linux,gpu"</c> offers
    /// <c>linux</c> and <c>gpu</c> with this value): present, no amount. Use it for a task that only needs a worker
    /// offering the name.
    /// </summary>
    public const long Present = -1;

    private static readonly IReadOnlyDictionary<string, long> NoCapabilities = new Dictionary<string, long>(StringComparer.Ordinal).AsReadOnly();

    private readonly IReadOnlyDictionary<string, long> _capabilities = NoCapabilities;

    /// <summary>No capabilities, priority 0: what every task gets when no options are given.</summary>
    public static TaskOptions Default { get; } = new();

    /// <summary>
    /// What a worker must offer to run the tasks, as name to value (the task's <c>capabilities</c> list on the wire).
    /// Default empty: any worker. Under the scheduler's <c>allocate=capability</c> policy a task goes only to a worker
    /// that offers every name listed; the values are not compared there (use <see cref="Present"/>, -1, for a name
    /// alone). The <c>scaling=capability</c> policy asks worker managers for workers with these capabilities, and a
    /// manager matches the values too, so give the value the workers are started with. Under <c>allocate=even_load</c>
    /// capabilities are ignored. A name must be non-empty, at most <see cref="MaxCapabilityNameLength"/> characters,
    /// without white space at either end, control characters, <c>,</c> or <c>=</c> (a worker's capability list could
    /// not offer it); a value must be <see cref="Present"/> or 0 or more. Copied when set; sent in ordinal name order.
    /// </summary>
    public IReadOnlyDictionary<string, long> Capabilities
    {
        get => _capabilities;
        init => _capabilities = value is null ? null! : new Dictionary<string, long>(value, StringComparer.Ordinal).AsReadOnly();
    }

    /// <summary>
    /// Higher runs first; default 0, as the reference client. Workers order the tasks queued on them by priority
    /// (the reference worker also suspends a running task for a higher-priority one); the scheduler itself hands tasks
    /// out in arrival order. Must be 0 or more: the reference worker rejects a negative priority.
    /// </summary>
    public int Priority { get; init; }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> (or <see cref="ArgumentNullException"/>,
    /// <see cref="ArgumentOutOfRangeException"/>) whose <see cref="ArgumentException.ParamName"/> is the first bad
    /// property: <c>Capabilities</c> or <c>Priority</c>.
    /// </summary>
    public void Validate()
    {
        if (_capabilities is null)
        {
            throw new ArgumentNullException(
                nameof(Capabilities), $"{nameof(TaskOptions)}.{nameof(Capabilities)} must not be null; leave it unset for no capabilities");
        }

        foreach (var (name, value) in _capabilities)
        {
            if (CapabilityProblem(name, value) is { } problem)
            {
                throw new ArgumentException(problem, nameof(Capabilities));
            }
        }

        if (Priority < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(Priority), Priority,
                $"{nameof(TaskOptions)}.{nameof(Priority)} must be 0 or more (higher runs first); the reference worker rejects a negative priority");
        }
    }

    /// <inheritdoc/>
    public bool Equals(TaskOptions? other)
    {
        if (other is null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (Priority != other.Priority)
        {
            return false;
        }

        if (_capabilities is null || other._capabilities is null)
        {
            return _capabilities is null && other._capabilities is null;
        }

        return _capabilities.Count == other._capabilities.Count
            && _capabilities.All(c => other._capabilities.TryGetValue(c.Key, out var value) && value == c.Value);
    }

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var capabilities = 0;
        foreach (var (name, value) in _capabilities ?? NoCapabilities)
        {
            capabilities ^= HashCode.Combine(StringComparer.Ordinal.GetHashCode(name), value); // order-independent
        }

        return HashCode.Combine(Priority, _capabilities?.Count ?? -1, capabilities);
    }

    /// <summary>The wire form, after <see cref="Validate"/>: capabilities in ordinal name order, and the priority.</summary>
    internal TaskSettings ToSettings()
    {
        Validate();
        if (_capabilities.Count == 0 && Priority == 0)
        {
            return TaskSettings.Default;
        }

        var capabilities = _capabilities
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new Protocol.Messages.TaskCapability { Name = c.Key, Value = c.Value })
            .ToArray();
        return new TaskSettings(capabilities, Priority);
    }

    /// <summary>The settings of <paramref name="options"/>, or the defaults for null; validates.</summary>
    internal static TaskSettings SettingsOf(TaskOptions? options) => options?.ToSettings() ?? TaskSettings.Default;

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"{nameof(Capabilities)} = {{");
        if (_capabilities is null)
        {
            builder.Append(" null ");
        }
        else
        {
            var first = true;
            foreach (var (name, value) in _capabilities.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                builder.Append(first ? " " : ", ").Append(name);
                if (value != Present)
                {
                    builder.Append(CultureInfo.InvariantCulture, $"={value}");
                }

                first = false;
            }

            builder.Append(first ? "" : " ");
        }

        builder.Append(CultureInfo.InvariantCulture, $"}}, {nameof(Priority)} = {Priority}");
        return true;
    }

    /// <summary>What is wrong with one capability, or null when nothing is.</summary>
    private static string? CapabilityProblem(string name, long value)
    {
        const string Where = nameof(TaskOptions) + "." + nameof(Capabilities);
        if (string.IsNullOrWhiteSpace(name))
        {
            return $"{Where}: a capability name is empty or white space";
        }

        if (name.Length > MaxCapabilityNameLength)
        {
            return $"{Where}: the capability name '{name[..32]}…' is {name.Length} characters long; at most {MaxCapabilityNameLength}";
        }

        if (char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[^1]))
        {
            return $"{Where}: the capability name '{name}' has white space at an end; workers' capability lists trim names, so no worker could offer it";
        }

        var separator = name.IndexOfAny([',', '=']);
        if (separator >= 0)
        {
            return $"{Where}: the capability name '{name}' contains '{name[separator]}'; workers' capability lists (\"linux,gpu=4\") split on ',' and '=', so no worker could offer it";
        }

        if (name.Any(char.IsControl))
        {
            return $"{Where}: the capability name '{name.ReplaceLineEndings(" ")}' contains a control character";
        }

        return value < Present
            ? $"{Where}: the capability '{name}' has the value {value}; use {Present} for a name alone (present, no amount) or an amount of 0 or more"
            : null;
    }
}
