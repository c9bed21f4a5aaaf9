using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;

namespace Scaler.Scheduler.Runtime;

/// <summary>
/// Deletes released objects from object storage in the background: the loop only queues ids. The connection is made
/// lazily on first use so a slow or absent object storage server never delays the scheduler's start.
/// </summary>
internal sealed class ObjectDeleter : IAsyncDisposable
{
    private readonly Channel<IReadOnlyList<ObjectId>> _queue = Channel.CreateUnbounded<IReadOnlyList<ObjectId>>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly ScalerAddress _address;
    private readonly YmqOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _run;

    /// <param name="options">the connection's identity and TLS files (the scheduler's own certificate, with mutual TLS)</param>
    public ObjectDeleter(ScalerAddress address, YmqOptions options, ILoggerFactory loggerFactory)
    {
        _address = address;
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ObjectDeleter>();
        _run = RunAsync(_stopping.Token);
    }

    public void Enqueue(IReadOnlyList<ObjectId> ids) => _queue.Writer.TryWrite(ids);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        ObjectStorageClient? client = null;
        try
        {
            await foreach (var ids in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    client ??= await ObjectStorageClient.ConnectAsync(_address, _options, _loggerFactory, cancellationToken).ConfigureAwait(false);
                    foreach (var id in ids)
                    {
                        await client.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException)
                {
                    throw;
                }
#pragma warning disable CA1031 // a failed delete only leaks storage; it must not stop later deletes or the scheduler.
                catch (Exception error)
#pragma warning restore CA1031
                {
                    SchedulerLog.DeleteFailed(_logger, ids.Count, error);

                    // The connection may be broken for good: the next batch connects again.
                    if (client is not null)
                    {
                        await client.DisposeAsync().ConfigureAwait(false);
                        client = null;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
