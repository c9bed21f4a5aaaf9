using System.Runtime.InteropServices;

namespace Scaler.Hosting.Shutdown;

/// <summary>
/// Turns Ctrl-C (SIGINT) and SIGTERM into a cancelled <see cref="Token"/>, so a server can stop its loops,
/// close its sockets and return exit code 0. The first signal is swallowed and only cancels the token; a second one
/// is left to the runtime's default handling, so a stuck process can still be killed from the keyboard.
/// </summary>
public sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _requested;

    private ShutdownSignal()
    {
    }

    public CancellationToken Token => _source.Token;

    /// <summary>The signal that asked for shutdown, or null while running or when <see cref="Request"/> was called.</summary>
    public PosixSignal? ReceivedSignal { get; private set; }

    public bool IsShutdownRequested => Volatile.Read(ref _requested) != 0;

    /// <summary>Starts listening to the process's termination signals.</summary>
    public static ShutdownSignal ListenToProcessSignals()
    {
        var signal = new ShutdownSignal();
        // SIGQUIT keeps its default (dump and quit), as in the reference.
        signal._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, signal.OnSignal));
        signal._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal.OnSignal));
        return signal;
    }

    /// <summary>A signal that only fires through <see cref="Request"/>; for tests and embedding.</summary>
    public static ShutdownSignal CreateManual() => new();

    /// <summary>Asks for shutdown as a signal would; safe to call more than once and from any thread.</summary>
    public void Request()
    {
        if (Interlocked.Exchange(ref _requested, 1) == 0)
        {
            _source.Cancel();
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _registrations.Clear();
        _source.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (IsShutdownRequested)
        {
            return;
        }

        context.Cancel = true;
        ReceivedSignal = context.Signal;
        Request();
    }
}
