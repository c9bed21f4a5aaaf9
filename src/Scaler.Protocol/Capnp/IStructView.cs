namespace Scaler.Protocol.Capnp;

/// <summary>A generated typed view over a <see cref="StructReader"/>, so typed lists can create elements.</summary>
public interface IStructView<TSelf>
    where TSelf : IStructView<TSelf>, allows ref struct
{
    static abstract TSelf Create(StructReader reader);
}
