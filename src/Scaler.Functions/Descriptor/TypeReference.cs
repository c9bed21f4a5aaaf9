using System.Reflection;
using System.Runtime.Loader;

namespace Scaler.Functions;

/// <summary>
/// A type named by assembly simple name and metadata full name, with generic arguments and array rank kept as
/// structure (not as an assembly-qualified string) so each part resolves in the run side's load context.
/// </summary>
internal sealed record TypeReference(string AssemblyName, string FullName, IReadOnlyList<TypeReference> GenericArguments, int ArrayRank)
{
    public const int MaxDepth = 32;

    public static TypeReference From(Type type) => From(type, 0);

    private static TypeReference From(Type type, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FunctionNotShippableException($"type {TypeNames.Display(type)} is nested too deeply to be described");
        }

        if (type.IsArray)
        {
            var element = From(type.GetElementType()!, depth + 1);
            if (element.ArrayRank != 0)
            {
                throw new FunctionNotShippableException($"type {TypeNames.Display(type)} (an array of arrays) is not supported");
            }

            // Rank 1 means a vector (T[]); a multi-dimensional array of rank 1 (T[*]) is not supported.
            if (!type.IsSZArray && type.GetArrayRank() == 1)
            {
                throw new FunctionNotShippableException($"type {TypeNames.Display(type)} is not supported");
            }

            return element with { ArrayRank = type.GetArrayRank() };
        }

        if (type.IsByRef || type.IsPointer || type.IsFunctionPointer || type.IsGenericParameter || type.ContainsGenericParameters)
        {
            throw new FunctionNotShippableException($"type {TypeNames.Display(type)} cannot be described for shipping");
        }

        if (type.IsConstructedGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var arguments = type.GetGenericArguments().Select(a => From(a, depth + 1)).ToArray();
            return new TypeReference(AssemblySimpleName(definition.Assembly), definition.FullName!, arguments, 0);
        }

        return new TypeReference(AssemblySimpleName(type.Assembly), type.FullName!, [], 0);
    }

    public Type Resolve(AssemblyLoadContext context)
    {
        Assembly assembly;
        try
        {
            assembly = context.LoadFromAssemblyName(new AssemblyName(AssemblyName));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            throw new FunctionLoadException($"assembly '{AssemblyName}' (needed for type {FullName}) is not available on this worker: {e.Message}", e);
        }

        var type = assembly.GetType(FullName, throwOnError: false)
            ?? throw new FunctionLoadException($"type {FullName} was not found in assembly '{assembly.FullName}'");
        if (GenericArguments.Count > 0)
        {
            var arguments = GenericArguments.Select(a => a.Resolve(context)).ToArray();
            try
            {
                type = type.MakeGenericType(arguments);
            }
            catch (ArgumentException e)
            {
                throw new FunctionLoadException($"type {FullName} cannot be built with the given generic arguments: {e.Message}", e);
            }
        }

        return ArrayRank switch
        {
            0 => type,
            1 => type.MakeArrayType(),
            _ => type.MakeArrayType(ArrayRank),
        };
    }

    private static string AssemblySimpleName(Assembly assembly) => FrameworkAssemblies.SimpleName(assembly);

    public override string ToString() => GenericArguments.Count == 0
        ? FullName + (ArrayRank > 0 ? "[]" : "")
        : $"{FullName}[{string.Join(", ", GenericArguments)}]" + (ArrayRank > 0 ? "[]" : "");
}
