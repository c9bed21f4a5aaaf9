using System.Text;
using Scaler.Identity;

namespace Scaler.Internal;

/// <summary>A client's YMQ identity (<c>Client|&lt;32 hex&gt;</c>, as the reference) and the object owner derived from it.</summary>
internal sealed class ClientIdentity
{
    private ClientIdentity(string text)
    {
        Text = text;
        Bytes = Encoding.ASCII.GetBytes(text);
        Owner = ObjectOwner.FromClientIdentity(Bytes);
    }

    public string Text { get; }

    public byte[] Bytes { get; }

    public ObjectOwner Owner { get; }

    public static ClientIdentity CreateNew() => new("Client|" + Guid.NewGuid().ToString("N"));

    public override string ToString() => Text;
}
