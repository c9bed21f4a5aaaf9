namespace Scaler.WorkerManager.Common;

/// <summary>Worker manager identities as the reference: <c>&lt;pid&gt;|&lt;name&gt;|&lt;uuid&gt;</c>.</summary>
public static class WorkerManagerIdentity
{
    public static string Generate(string name) => $"{Environment.ProcessId}|{name}|{Guid.NewGuid()}";
}
