using System.Runtime.InteropServices;

namespace Scaler.Cli.Launch;

/// <summary>
/// Ctrl-C and SIGTERM for the launcher: the first asks for an orderly stop of the children, a second one cuts the
/// grace period short (children are then killed at once), so the launcher itself always gets to clean up.
/// </summary>
internal sealed class LaunchSignals : IDisposable
{
    private readonly CancellationTokenSource _shutdown = new();
    private readonly CancellationTokenSource _force = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _count;
    private volatile bool _firstWasInterrupt;

    private LaunchSignals()
    {
    }

    public CancellationToken Shutdown => _shutdown.Token;

    public CancellationToken ForceStop => _force.Token;

    /// <summary>
    /// True when the shutdown came from SIGINT, which usually means Ctrl-C in the terminal: the terminal sends it to
    /// every process of its foreground group, children included.
    /// </summary>
    public bool FirstWasInterrupt => _firstWasInterrupt;

    public static LaunchSignals Listen()
    {
        var signals = new LaunchSignals();
        signals._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, signals.OnSignal));
        signals._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, signals.OnSignal));
        return signals;
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _shutdown.Dispose();
        _force.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _count) == 1)
        {
            _firstWasInterrupt = context.Signal == PosixSignal.SIGINT;
            _shutdown.Cancel();
        }
        else
        {
            _force.Cancel();
        }
    }
}
