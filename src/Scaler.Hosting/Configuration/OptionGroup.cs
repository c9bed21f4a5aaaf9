namespace Scaler.Hosting.Configuration;

/// <summary>
/// Options shared by several sections (logging, TLS, ...). In TOML its keys sit directly in the section, or in a
/// sub-table named after the group (<c>[scheduler.logging_config]</c>), as the reference allows.
/// </summary>
public sealed class OptionGroup
{
    public OptionGroup(string name, IReadOnlyList<OptionSpec> options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        Options = options;
    }

    public string Name { get; }

    public IReadOnlyList<OptionSpec> Options { get; }
}
