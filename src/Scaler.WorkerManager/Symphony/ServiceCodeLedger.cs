using System.Collections.Concurrent;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// What the service instances of one SOAM application are known to hold: whether they resolve code by hash (they
/// answered in result layout 2), and the SHA-256 of each code assembly a task carried and then ran. Tasks name such
/// code by hash only; an instance that lacks it answers code-missing and the task is sent again with the bytes.
/// </summary>
/// <remarks>
/// This is knowledge about the application, not about one worker: the worker manager stops its Symphony worker when
/// the scheduler wants no slots (<c>scaling=vanilla</c> does so at the first idle heartbeat) and starts a new one for
/// the next burst. Kept per worker, every burst after an idle gap would ship every code assembly with its first tasks
/// again; kept here, it ships none, and only instances that really are new answer code-missing once per task they
/// are given before they get the bytes.
/// </remarks>
public sealed class ServiceCodeLedger
{
    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);

    /// <summary>True once an instance answered in result layout 2 (and until one answers in layout 1).</summary>
    private volatile bool _resolvesByHash;

    /// <summary>How many code assemblies the service is known to hold.</summary>
    public int Count => _held.Count;

    /// <summary>Whether a task may name this code assembly by hash only.</summary>
    public bool MayOmit(string sha256Hex) => _resolvesByHash && _held.ContainsKey(sha256Hex);

    /// <summary>Records the result layout an instance answered in: 2 and later resolve code by hash, 1 does not.</summary>
    public void ObserveResultLayout(ushort version) => _resolvesByHash = version >= 2;

    /// <summary>A task that carried these code assemblies ran: the service holds them.</summary>
    public void Ran(IEnumerable<string> carriedSha256Hex)
    {
        ArgumentNullException.ThrowIfNull(carriedSha256Hex);
        foreach (var sha in carriedSha256Hex)
        {
            _held.TryAdd(sha, 0);
        }
    }
}
