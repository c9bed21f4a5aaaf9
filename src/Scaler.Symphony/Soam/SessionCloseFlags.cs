namespace Scaler.Symphony.Soam;

/// <summary>What closing a session does with its work, as SOAM's <c>SessionCloseFlags</c>.</summary>
public enum SessionCloseFlags
{
    /// <summary>End the session; outstanding results are thrown away (the default of SOAM's <c>Close()</c>).</summary>
    DestroyOnClose = 0,

    /// <summary>Leave the work running for a later re-attach (the local engine treats it as destroy).</summary>
    DetachOnClose = 1,
}
