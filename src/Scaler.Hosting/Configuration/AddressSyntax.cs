namespace Scaler.Hosting.Configuration;

/// <summary>
/// Checks the text of a socket address (<c>tcp://host:port</c>, <c>tls://host:port</c>, <c>ipc://path</c>, ...).
/// Addresses stay text in the CLI's options records, as the user wrote them (help, messages and the launcher show
/// them so); the mapping onto a component's own options (Scaler.Cli) parses them into Scaler.IO addresses.
/// <see cref="Validate"/> returns an error message, or null when the text is valid.
/// </summary>
internal static class AddressSyntax
{
    private static readonly string[] SchemesWithPort = ["tcp", "tls", "ws", "wss"];
    private static readonly string[] SchemesWithoutPort = ["ipc", "inproc"];

    public static Func<string, string?> Validate { get; set; } = ValidateLocally;

    internal static string? ValidateLocally(string text)
    {
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            return "an address looks like tcp://127.0.0.1:2345";
        }

        var scheme = text[..separator];
        var rest = text[(separator + 3)..];
        if (SchemesWithoutPort.Contains(scheme, StringComparer.Ordinal))
        {
            return rest.Length == 0 ? $"{scheme} address needs a name after {scheme}://" : null;
        }

        if (!SchemesWithPort.Contains(scheme, StringComparer.Ordinal))
        {
            return $"unsupported address type '{scheme}', expected one of: "
                + string.Join(", ", SchemesWithPort.Concat(SchemesWithoutPort));
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0 && scheme is "tcp" or "tls")
        {
            return $"{scheme} address cannot have a path";
        }

        var authority = slash >= 0 ? rest[..slash] : rest;
        var colon = authority.LastIndexOf(':');
        if (colon <= 0)
        {
            return $"{scheme} address needs a host and a port, e.g. {scheme}://127.0.0.1:2345";
        }

        var portText = authority[(colon + 1)..];
        if (!ushort.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            return $"'{portText}' is not a port number (0-65535)";
        }

        return null;
    }
}
