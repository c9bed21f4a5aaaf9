using System.Net;
using System.Net.Sockets;
using Scaler.IO.Addressing;

namespace Scaler.Hosting.CommandLine;

/// <summary>
/// Resolves, once at start, the host names of the addresses a tool connects to. A name that does not resolve then is a
/// mistake in the command line or the file: the tool stops with one line naming the address (exit code 2) instead of
/// retrying for a minute, or for ever, and failing with a connect error. Once a tool has started, its connectors go
/// on retrying as before (a name that stops resolving during a reconnect may be a passing DNS failure).
/// </summary>
internal static class StartupAddressCheck
{
    /// <summary>A resolver that has not answered by then is slow, not a "no": the tool starts and its connector retries.</summary>
    private static readonly TimeSpan ResolveBound = TimeSpan.FromSeconds(10);

    /// <summary>Null when every host name resolves (or the check is inconclusive), else the one-line reason.</summary>
    public static async Task<string?> FindUnresolvableAsync(IEnumerable<string?> addresses, CancellationToken cancellationToken)
    {
        foreach (var text in addresses)
        {
            // A malformed address is reported by the tool itself, with its own wording.
            if (string.IsNullOrWhiteSpace(text) || !ScalerAddress.TryParse(text, out var address) || address.TryGetIPAddress() is not null)
            {
                continue;
            }

            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(ResolveBound);
            try
            {
                var found = await Dns.GetHostAddressesAsync(address.Host, bound.Token).ConfigureAwait(false);
                if (found.Length == 0)
                {
                    return $"cannot connect to {address}: host '{address.Host}' has no address";
                }
            }
            catch (SocketException ex)
            {
                return $"cannot connect to {address}: host '{address.Host}' not found ({ex.Message})";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow DNS: not a verdict.
            }
        }

        return null;
    }
}
