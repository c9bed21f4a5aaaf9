namespace Scaler.Hosting.Configuration;

/// <summary>Where an option's value came from; later sources win.</summary>
public enum OptionSource
{
    Default,
    Toml,
    CommandLine,
}
