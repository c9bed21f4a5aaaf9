using System.Reflection;
using System.Runtime.Loader;

namespace Scaler.Symphony.Ibm;

/// <summary>
/// Loads IBM's assembly in a context of its own, resolving its managed dependencies and native libraries from the
/// same directory (IBM's .NET layer calls native SOAM libraries that sit next to it in lib64).
/// </summary>
internal sealed class IbmSoamLoadContext : AssemblyLoadContext
{
    private readonly string _directory;

    public IbmSoamLoadContext(string assemblyPath)
        : base($"IBM SOAM ({assemblyPath})")
    {
        _directory = Path.GetDirectoryName(Path.GetFullPath(assemblyPath))!;
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var candidate = Path.Combine(_directory, assemblyName.Name + ".dll");
        return File.Exists(candidate) && Default.Assemblies.All(a => a.GetName().Name != assemblyName.Name)
            ? LoadFromAssemblyPath(candidate)
            : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (var name in new[] { unmanagedDllName, $"lib{unmanagedDllName}.so", $"{unmanagedDllName}.so", $"{unmanagedDllName}.dll" })
        {
            var candidate = Path.Combine(_directory, name);
            if (File.Exists(candidate))
            {
                return LoadUnmanagedDllFromPath(candidate);
            }
        }

        return IntPtr.Zero;
    }
}
