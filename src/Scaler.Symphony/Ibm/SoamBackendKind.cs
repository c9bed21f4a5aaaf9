namespace Scaler.Symphony.Ibm;

/// <summary>The <c>--soam-backend</c> choice.</summary>
public enum SoamBackendKind
{
    /// <summary>IBM's API where it is found, else the local engine.</summary>
    Auto,

    /// <summary>IBM's API; an error when it is not found.</summary>
    Ibm,

    /// <summary>The built-in local engine.</summary>
    Local,
}
