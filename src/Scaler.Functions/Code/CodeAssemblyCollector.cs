using System.Reflection;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Scaler.Functions;

/// <summary>
/// Client side: the set of non-framework assemblies a function needs (the roots and, transitively, what they
/// reference), each hashed once per process.
/// </summary>
internal static class CodeAssemblyCollector
{
    // Weak tables: an assembly in a collectible context must not be kept alive by these caches.
    private static readonly ConditionalWeakTable<Assembly, CodeAssembly> Hashed = [];
    private static readonly ConditionalWeakTable<Assembly, CodeAssembly[]> Closures = [];

    public static IReadOnlyList<CodeAssembly> Collect(IEnumerable<Assembly> roots)
    {
        var result = new List<CodeAssembly>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            if (!FrameworkAssemblies.IsShippable(root))
            {
                continue;
            }

            foreach (var code in Closures.GetValue(root, CollectClosure))
            {
                if (seen.Add(code.Reference.Sha256Hex))
                {
                    result.Add(code);
                }
            }
        }

        return result;
    }

    private static CodeAssembly[] CollectClosure(Assembly root)
    {
        var ordered = new List<CodeAssembly>();
        var visited = new HashSet<Assembly>();
        var pending = new Queue<Assembly>();
        pending.Enqueue(root);
        while (pending.TryDequeue(out var assembly))
        {
            if (!visited.Add(assembly) || !FrameworkAssemblies.IsShippable(assembly))
            {
                continue;
            }

            ordered.Add(Hashed.GetValue(assembly, Hash));
            foreach (var reference in ReferencedAssemblies.Resolve(assembly))
            {
                pending.Enqueue(reference);
            }
        }

        return ordered.ToArray();
    }

    private static CodeAssembly Hash(Assembly assembly)
    {
        var name = assembly.GetName();
        var location = assembly.IsDynamic ? "" : assembly.Location;
        if (location.Length == 0)
        {
            throw new FunctionNotShippableException(
                $"the function needs assembly '{name.Name}', which was not loaded from a file (a dynamic or "
                + "in-memory assembly), so its code cannot be shipped");
        }

        byte[] hash;
        using (var file = File.OpenRead(location))
        {
            hash = SHA256.HashData(file);
        }

        var reference = new CodeAssemblyReference(
            name.Name ?? "",
            name.Version?.ToString() ?? "",
            assembly.ManifestModule.ModuleVersionId,
            Convert.ToHexStringLower(hash));
        return new CodeAssembly(reference, location);
    }
}
