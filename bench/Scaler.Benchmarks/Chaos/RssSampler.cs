using Scaler.Testing;

namespace Scaler.Benchmarks.Chaos;

/// <summary>Samples the resident memory of every process of a <see cref="ChaosStack"/> every 250 ms; keeps each role's peak.</summary>
internal sealed class RssSampler(ChaosStack stack)
{
    private readonly Dictionary<string, long> _peaks = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                foreach (var (role, pid) in stack.Processes())
                {
                    var bytes = ProcessTable.ResidentBytes(pid);
                    lock (_gate)
                    {
                        _peaks[role] = Math.Max(_peaks.GetValueOrDefault(role), bytes);
                    }
                }

                await Task.Delay(250, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public IReadOnlyDictionary<string, long> PeakBytes()
    {
        lock (_gate)
        {
            return new Dictionary<string, long>(_peaks, StringComparer.Ordinal);
        }
    }
}
