using System.Reflection;
using System.Runtime.Loader;

namespace Scaler.Functions;

/// <summary>
/// Holds one set of shipped assemblies, loaded from bytes. A name in the set resolves to the shipped copy; any other
/// name (the framework, this library, assemblies the worker already has in the exact build) falls back to the
/// default context. Not collectible: serializers that generate code at run time (MessagePack does) cannot refer to
/// types in collectible assemblies.
/// </summary>
internal sealed class ShippedCodeLoadContext : AssemblyLoadContext
{
    private readonly Dictionary<string, Assembly> _byName;

    public ShippedCodeLoadContext(string name, IReadOnlyList<(CodeAssemblyReference Reference, byte[] Bytes)> assemblies)
        : base(name, isCollectible: false)
    {
        _byName = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        foreach (var (reference, bytes) in assemblies)
        {
            Assembly assembly;
            try
            {
                using var stream = new MemoryStream(bytes, writable: false);
                assembly = LoadFromStream(stream);
            }
            catch (BadImageFormatException e)
            {
                throw new FunctionLoadException($"code assembly {reference} is not a valid .NET assembly: {e.Message}", e);
            }

            var loadedName = assembly.GetName().Name ?? "";
            if (!string.Equals(loadedName, reference.Name, StringComparison.OrdinalIgnoreCase))
            {
                throw new FunctionLoadException($"code assembly {reference} contains assembly '{loadedName}' instead");
            }

            _byName[loadedName] = assembly;
        }
    }

    public int AssemblyCount => _byName.Count;

    protected override Assembly? Load(AssemblyName assemblyName) =>
        assemblyName.Name is { } name && _byName.TryGetValue(name, out var assembly) ? assembly : null;
}
