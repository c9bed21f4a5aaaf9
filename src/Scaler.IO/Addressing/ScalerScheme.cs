namespace Scaler.IO.Addressing;

/// <summary>The transport schemes a Scaler address may name.</summary>
public enum ScalerScheme
{
    /// <summary>Plain TCP: <c>tcp://host:port</c>.</summary>
    Tcp,

    /// <summary>TCP wrapped in TLS: <c>tls://host:port</c>.</summary>
    Tls,
}
