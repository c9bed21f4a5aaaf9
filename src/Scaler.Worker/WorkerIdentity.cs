namespace Scaler.Worker;

/// <summary>Worker identities as the reference builds them.</summary>
public static class WorkerIdentity
{
    /// <summary>
    /// <c>Worker|&lt;name&gt;|&lt;32 hex&gt;</c>; a native manager names its workers <c>&lt;prefix&gt;|&lt;32 hex&gt;</c>, which gives
    /// <c>Worker|FIX|&lt;hex&gt;|&lt;hex&gt;</c> as in the golden capture.
    /// </summary>
    public static string Generate(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return $"Worker|{name}|{Guid.NewGuid():N}";
    }

    /// <summary>The name a native worker manager gives a worker: <c>&lt;prefix&gt;|&lt;32 hex&gt;</c>.</summary>
    public static string NewWorkerName(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        return $"{prefix}|{Guid.NewGuid():N}";
    }
}
