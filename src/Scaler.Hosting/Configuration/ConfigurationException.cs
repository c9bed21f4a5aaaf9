namespace Scaler.Hosting.Configuration;

/// <summary>A configuration problem the user can fix: bad TOML, an unknown key, a wrong type, a missing value.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException()
    {
    }

    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
