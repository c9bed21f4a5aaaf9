using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Scaler.IO.Addressing;

/// <summary>
/// A transport address such as <c>tcp://127.0.0.1:6378</c>, <c>tls://[::1]:8516</c> or <c>tcp://scheduler.local:6378</c>.
/// The host is kept without IPv6 brackets; <see cref="ToString"/> adds them back, so parsing round-trips.
/// Port 0 is allowed (it asks the operating system for a free port when binding).
/// </summary>
public sealed record ScalerAddress
{
    private const string Expected = "expected tcp://host:port";

    private ScalerAddress(ScalerScheme scheme, string host, int port)
    {
        Scheme = scheme;
        Host = host;
        Port = port;
    }

    public ScalerScheme Scheme { get; }

    /// <summary>An IPv4 literal, an IPv6 literal (without brackets) or a host name.</summary>
    public string Host { get; }

    public int Port { get; }

    /// <summary>True for <c>tls://</c> addresses.</summary>
    public bool IsSecure => Scheme == ScalerScheme.Tls;

    /// <summary>Builds an address from parts, with the same checks as <see cref="Parse"/>.</summary>
    public static ScalerAddress Create(ScalerScheme scheme, string host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        var text = Format(scheme, host, port.ToString(CultureInfo.InvariantCulture));
        return Parse(text);
    }

    /// <summary>Parses <c>tcp://host:port</c> or <c>tls://host:port</c>; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static ScalerAddress Parse(string text)
    {
        if (!TryParse(text, out var address, out var error))
        {
            throw new FormatException(error);
        }

        return address;
    }

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out ScalerAddress? address) =>
        TryParse(text, out address, out _);

    /// <summary>Parses an address; on failure <paramref name="error"/> says exactly what is wrong.</summary>
    public static bool TryParse(
        [NotNullWhen(true)] string? text,
        [NotNullWhen(true)] out ScalerAddress? address,
        [NotNullWhen(false)] out string? error)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"address is empty: {Expected}";
            return false;
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            error = $"address '{text}' has no scheme: {Expected}";
            return false;
        }

        var schemeText = text[..schemeEnd];
        ScalerScheme scheme;
        if (schemeText.Equals("tcp", StringComparison.OrdinalIgnoreCase))
        {
            scheme = ScalerScheme.Tcp;
        }
        else if (schemeText.Equals("tls", StringComparison.OrdinalIgnoreCase))
        {
            scheme = ScalerScheme.Tls;
        }
        else
        {
            error = $"unsupported scheme '{schemeText}' in address '{text}': expected tcp or tls";
            return false;
        }

        var rest = text[(schemeEnd + 3)..];
        if (!TrySplitHostPort(text, rest, out var host, out var portText, out error))
        {
            return false;
        }

        if (portText.Length == 0 || !portText.All(char.IsAsciiDigit))
        {
            error = portText.Length == 0
                ? $"address '{text}' has no port: {Expected}"
                : $"port '{portText}' in address '{text}' is not a number";
            return false;
        }

        if (portText.Length > 5 || int.Parse(portText, NumberStyles.None, CultureInfo.InvariantCulture) > IPEndPoint.MaxPort)
        {
            error = $"port '{portText}' is out of range 0-65535";
            return false;
        }

        address = new ScalerAddress(scheme, host, int.Parse(portText, NumberStyles.None, CultureInfo.InvariantCulture));
        error = null;
        return true;
    }

    /// <summary>The same address with another port (e.g. the port the OS picked for a bind to port 0).</summary>
    public ScalerAddress WithPort(int port)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        return new ScalerAddress(Scheme, Host, port);
    }

    /// <summary>The host as an IP address when it is a literal, otherwise null (a name to resolve).</summary>
    public IPAddress? TryGetIPAddress() => IPAddress.TryParse(Host, out var ip) ? ip : null;

    public override string ToString() => Format(Scheme, Host, Port.ToString(CultureInfo.InvariantCulture));

    private static string Format(ScalerScheme scheme, string host, string port)
    {
        var prefix = scheme == ScalerScheme.Tls ? "tls" : "tcp";
        var shownHost = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        return $"{prefix}://{shownHost}:{port}";
    }

    private static bool TrySplitHostPort(
        string text, string rest, out string host, out string portText, [NotNullWhen(false)] out string? error)
    {
        host = string.Empty;
        portText = string.Empty;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"address '{text}' has an unclosed '[' in its host";
                return false;
            }

            host = rest[1..close];
            if (!IPAddress.TryParse(host, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"host '[{host}]' in address '{text}' is not an IPv6 address";
                return false;
            }

            var afterHost = rest[(close + 1)..];
            if (afterHost.Length == 0)
            {
                error = $"address '{text}' has no port: {Expected}";
                return false;
            }

            if (afterHost[0] != ':')
            {
                error = $"address '{text}' has unexpected text '{afterHost}' after its host";
                return false;
            }

            portText = afterHost[1..];
            error = null;
            return true;
        }

        var colon = rest.LastIndexOf(':');
        if (colon < 0)
        {
            error = $"address '{text}' has no port: {Expected}";
            return false;
        }

        host = rest[..colon];
        portText = rest[(colon + 1)..];
        if (host.Length == 0)
        {
            error = $"address '{text}' has no host: {Expected}";
            return false;
        }

        // The reference also accepts an unbracketed IPv6 literal (tcp://2001:db8::1:1211): the last colon starts the port.
        if (host.Contains(':', StringComparison.Ordinal))
        {
            if (!IPAddress.TryParse(host, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"host '{host}' in address '{text}' is not an IPv6 address (write IPv6 hosts as [addr])";
                return false;
            }

            error = null;
            return true;
        }

        if (!IsValidHostName(host))
        {
            error = $"host '{host}' in address '{text}' is not a valid host name or IP address";
            return false;
        }

        error = null;
        return true;
    }

    private static bool IsValidHostName(string host) =>
        host.Length <= 253 && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_');
}
