using System.Reflection;
using System.Runtime.CompilerServices;

namespace Scaler.Functions;

/// <summary>
/// Decides which assemblies are never shipped: the shared framework (every worker has its own runtime) and the
/// assemblies this library brings (the run side necessarily has them, and a second copy would split type identity).
/// </summary>
internal static class FrameworkAssemblies
{
    private static readonly string RuntimeDirectory =
        Path.GetDirectoryName(typeof(object).Assembly.Location) ?? "";

    // A framework-dependent app runs from <dotnet>/shared/<framework>/<version>/; anything under <dotnet>/shared
    // (Microsoft.NETCore.App, Microsoft.AspNetCore.App, ...) is framework. A self-contained app has the runtime
    // next to its own files, so there only the runtime's own names count.
    private static readonly string? SharedRoot = FindSharedRoot(RuntimeDirectory);

    private static readonly Lazy<HashSet<string>> HostNames = new(CollectHostNames);

    // Weak tables: an assembly in a collectible context must not be kept alive by these caches.
    private static readonly ConditionalWeakTable<Assembly, object> ShippableCache = [];
    private static readonly ConditionalWeakTable<Assembly, object> NameCache = [];

    public static bool IsFramework(Assembly assembly)
    {
        if (assembly == typeof(object).Assembly)
        {
            return true;
        }

        var location = assembly.IsDynamic ? "" : assembly.Location;
        if (location.Length == 0)
        {
            return false;
        }

        if (SharedRoot is not null)
        {
            return location.StartsWith(SharedRoot, StringComparison.Ordinal);
        }

        var name = assembly.GetName().Name ?? "";
        return string.Equals(Path.GetDirectoryName(location), RuntimeDirectory, StringComparison.Ordinal)
            && (name.StartsWith("System.", StringComparison.Ordinal)
                || name.StartsWith("Microsoft.", StringComparison.Ordinal)
                || name is "System" or "mscorlib" or "netstandard" or "WindowsBase");
    }

    /// <summary>True for this library and the non-framework assemblies it depends on.</summary>
    public static bool IsHost(Assembly assembly) => HostNames.Value.Contains(SimpleName(assembly));

    public static bool IsShippable(Assembly assembly) =>
        (bool)ShippableCache.GetValue(assembly, a => !IsFramework(a) && !IsHost(a));

    /// <summary>An assembly's simple name, looked up once (<see cref="Assembly.GetName()"/> allocates and parses).</summary>
    public static string SimpleName(Assembly assembly) => (string)NameCache.GetValue(assembly, a => a.GetName().Name ?? "");

    private static string? FindSharedRoot(string runtimeDirectory)
    {
        var frameworkDirectory = Path.GetDirectoryName(runtimeDirectory);
        var shared = Path.GetDirectoryName(frameworkDirectory);
        if (shared is null || !string.Equals(Path.GetFileName(shared), "shared", StringComparison.Ordinal))
        {
            return null;
        }

        return shared + Path.DirectorySeparatorChar;
    }

    private static HashSet<string> CollectHostNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>();
        pending.Push(typeof(FrameworkAssemblies).Assembly);
        while (pending.TryPop(out var assembly))
        {
            if (!names.Add(assembly.GetName().Name ?? ""))
            {
                continue;
            }

            foreach (var reference in ReferencedAssemblies.Resolve(assembly))
            {
                if (!IsFramework(reference))
                {
                    pending.Push(reference);
                }
            }
        }

        return names;
    }
}
