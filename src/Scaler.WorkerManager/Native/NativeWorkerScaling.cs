namespace Scaler.WorkerManager.Native;

/// <summary>How a native worker manager decides how many workers run (the reference's <c>mode</c>).</summary>
public enum NativeWorkerScaling
{
    /// <summary>Workers are started and stopped as the scheduler asks, up to the maximum.</summary>
    Dynamic,

    /// <summary>Exactly the maximum number of workers is started up front; the manager does not talk to the scheduler.</summary>
    Fixed,
}
