using Scaler.Protocol.Messages;

namespace Scaler.Worker.Processors;

/// <summary>The processor's side of the channel to its worker: results and cancel answers come from two loops, one frame at a time.</summary>
internal sealed class SerializedFrameWriter(Stream toWorker) : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    public async ValueTask WriteAsync(IMessage message, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await PipeFrames.WriteAsync(toWorker, message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    public void Dispose() => _turn.Dispose();
}
