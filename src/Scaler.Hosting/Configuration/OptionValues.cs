namespace Scaler.Hosting.Configuration;

/// <summary>The merged values of a section's options, read through their typed specs.</summary>
public sealed class OptionValues
{
    private readonly Dictionary<OptionSpec, (object? Value, OptionSource Source)> _values = [];

    /// <summary>The value, or the type's default (null for references) when the option has none.</summary>
    public T Get<T>(OptionSpec<T> spec) => _values.TryGetValue(spec, out var entry) ? (T)entry.Value! : default!;

    public bool IsSet(OptionSpec spec) => _values.ContainsKey(spec);

    public OptionSource SourceOf(OptionSpec spec) =>
        _values.TryGetValue(spec, out var entry) ? entry.Source : OptionSource.Default;

    internal object? GetBoxed(OptionSpec spec) => _values.TryGetValue(spec, out var entry) ? entry.Value : null;

    internal void Set(OptionSpec spec, object? value, OptionSource source) => _values[spec] = (value, source);
}
