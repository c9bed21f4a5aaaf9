using System.Reflection;
using System.Runtime.Loader;

namespace Scaler.Functions;

internal static class ReferencedAssemblies
{
    /// <summary>
    /// The assemblies <paramref name="assembly"/> references, resolved in its own load context. A reference that
    /// cannot be found here is skipped: code that runs on this machine cannot be using it.
    /// </summary>
    public static IEnumerable<Assembly> Resolve(Assembly assembly)
    {
        var context = AssemblyLoadContext.GetLoadContext(assembly) ?? AssemblyLoadContext.Default;
        foreach (var name in assembly.GetReferencedAssemblies())
        {
            Assembly? resolved;
            try
            {
                resolved = context.LoadFromAssemblyName(name);
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                resolved = null;
            }

            if (resolved is not null)
            {
                yield return resolved;
            }
        }
    }
}
