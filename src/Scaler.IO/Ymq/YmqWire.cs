namespace Scaler.IO.Ymq;

/// <summary>
/// Wire constants of YMQ (reference: <c>src/cpp/scaler/ymq/configuration.h</c> and
/// <c>internal/message_connection.cpp</c>). Each side of a connection first sends <see cref="Magic"/>, then frames of
/// an unsigned 64-bit little-endian payload length followed by the payload. The first frame is the sender's identity.
/// </summary>
public static class YmqWire
{
    /// <summary>Size of the magic that opens each direction of a connection.</summary>
    public const int MagicSize = 4;

    /// <summary>Size of a frame header: the payload length as an unsigned 64-bit little-endian integer.</summary>
    public const int HeaderSize = sizeof(ulong);

    /// <summary>The bytes 'Y', 'M', 'Q', 0x01.</summary>
    public static ReadOnlySpan<byte> Magic => "YMQ\u0001"u8;
}
