using System.Net.Sockets;

namespace Scaler.IO.Ymq;

/// <summary>
/// A binder's address cannot be used: the port is in use, the address is not one of this machine's, binding it is not
/// permitted, or its host name does not resolve. The message names the address and the reason, e.g.
/// "cannot bind tcp://127.0.0.1:8516: address already in use". It is a <see cref="SocketException"/> with the
/// underlying <see cref="SocketException.SocketErrorCode"/>, so code that looked at the code still can; the programs
/// turn it into that one line and exit code 2.
/// </summary>
public sealed class YmqAddressException : SocketException
{
    public YmqAddressException(SocketError error, string message)
        : base((int)error, message)
    {
    }

    public YmqAddressException(string message)
        : base((int)SocketError.SocketError, message)
    {
    }

    public YmqAddressException()
    {
    }

    public YmqAddressException(string message, Exception innerException)
        : base((int)((innerException as SocketException)?.SocketErrorCode ?? SocketError.SocketError), message)
    {
    }
}
