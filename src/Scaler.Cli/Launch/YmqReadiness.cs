using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.IO.Tls;
using Scaler.IO.Ymq;

namespace Scaler.Cli.Launch;

/// <summary>
/// Waits until a YMQ server accepts connections: connects (retrying quickly) and completes the handshake, then closes.
/// The launcher uses it so the scheduler starts after its object storage server is listening, as in the reference.
/// </summary>
internal static class YmqReadiness
{
    /// <param name="tls">
    /// the files of the server waited for: a server that requires certificates admits its own (its server role), and it
    /// is reached at its bind address, which its certificate need not name
    /// </param>
    public static async Task WaitAsync(string address, TlsSettings tls, CancellationToken cancellationToken)
    {
        var options = tls.ForConnectorToServer(new YmqOptions
        {
            Identity = $"{Environment.ProcessId}|launcher|{Guid.NewGuid()}",
            ConnectRetryInitialDelay = TimeSpan.FromMilliseconds(50),
            ConnectRetryMaxDelay = TimeSpan.FromMilliseconds(250),
            ConnectMaxRetries = null,
        });
        options.TlsCheckCertificateName = false;

        // Failed attempts are expected while the server starts: they are not worth a log line.
        var connector = await YmqConnector.ConnectAsync(ScalerAddress.Parse(address), options, NullLogger.Instance, cancellationToken)
            .ConfigureAwait(false);
        await connector.DisposeAsync().ConfigureAwait(false);
    }
}
