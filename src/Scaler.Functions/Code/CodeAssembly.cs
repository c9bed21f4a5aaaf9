namespace Scaler.Functions;

/// <summary>
/// Client side: an assembly the run side may need, with where to read its bytes. The client stores each one as an
/// object whose id is derived from <see cref="CodeAssemblyReference.Sha256"/>, once per cluster.
/// </summary>
public sealed class CodeAssembly
{
    internal CodeAssembly(CodeAssemblyReference reference, string path)
    {
        Reference = reference;
        Path = path;
    }

    public CodeAssemblyReference Reference { get; }

    /// <summary>The file the assembly was loaded from on this machine.</summary>
    public string Path { get; }

    /// <summary>Reads the assembly file; the bytes hash to <see cref="CodeAssemblyReference.Sha256Hex"/>.</summary>
    public byte[] ReadBytes() => File.ReadAllBytes(Path);

    public override string ToString() => Reference.ToString();
}
