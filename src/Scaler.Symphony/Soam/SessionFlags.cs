namespace Scaler.Symphony.Soam;

/// <summary>How a session sends and receives, as SOAM's <c>SessionFlags</c>. Use exactly one receive flag.</summary>
[Flags]
public enum SessionFlags
{
    None = 0,

    /// <summary><see cref="ISoamSession.SendTaskInput"/> returns once the input is accepted.</summary>
    SendSync = 1,

    /// <summary>Outputs are fetched on request (not supported by these backends: use <see cref="ReceiveAsync"/>).</summary>
    ReceiveSync = 2,

    /// <summary>Outputs arrive through the session callback.</summary>
    ReceiveAsync = 4,

    /// <summary>SOAM's <c>AliasPartialAsync</c> (Python <c>PARTIAL_ASYNC</c>): synchronous send, callback receive.</summary>
    PartialAsync = SendSync | ReceiveAsync,
}
