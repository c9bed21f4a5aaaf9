namespace Scaler.Symphony.Local;

/// <summary>One task inside the local engine; guarded by the engine's lock.</summary>
internal sealed class LocalTask
{
    public LocalTask(LocalSoamSession session, string id, ReadOnlyMemory<byte> input)
    {
        Session = session;
        Id = id;
        Input = input;
    }

    public LocalSoamSession Session { get; }

    public string Id { get; }

    public ReadOnlyMemory<byte> Input { get; }

    /// <summary>Attempts dispatched so far (the first run counts).</summary>
    public int Attempts { get; set; }
}
