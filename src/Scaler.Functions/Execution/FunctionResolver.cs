using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Scaler.Functions;

/// <summary>
/// Run side: finds the method a descriptor names in a load context (once per function object), and makes the target
/// object for each call (the shared lambda singleton, or a closure rebuilt from the serialized captures).
/// </summary>
internal static class FunctionResolver
{
    private const BindingFlags AllDeclared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;

    public static ResolvedFunction Resolve(FunctionDescriptor descriptor, AssemblyLoadContext context)
    {
        var declaringType = descriptor.DeclaringType.Resolve(context);
        var method = FindMethod(descriptor, declaringType);
        if (method.IsGenericMethodDefinition)
        {
            var arguments = descriptor.MethodGenericArguments.Select(a => a.Resolve(context)).ToArray();
            if (arguments.Length != method.GetGenericArguments().Length)
            {
                throw new FunctionLoadException(
                    $"method {method.Name} takes {method.GetGenericArguments().Length} generic argument(s); the function object gives {arguments.Length}");
            }

            try
            {
                method = method.MakeGenericMethod(arguments);
            }
            catch (ArgumentException e)
            {
                throw new FunctionLoadException($"method {method.Name} cannot be built with the given generic arguments: {e.Message}", e);
            }
        }

        var parameterTypes = descriptor.ParameterTypes.Select(p => p.Resolve(context)).ToArray();
        var methodParameters = method.GetParameters();
        if (methodParameters.Length != parameterTypes.Length)
        {
            throw new FunctionLoadException(
                $"method {method.Name} takes {methodParameters.Length} parameter(s); the function was submitted with {parameterTypes.Length}");
        }

        var returnType = descriptor.ReturnType?.Resolve(context) ?? typeof(void);
        if (method.IsStatic != (descriptor.Target.Kind == FunctionTargetKind.None))
        {
            throw new FunctionLoadException($"method {method.Name} is {(method.IsStatic ? "static" : "an instance method")}, which does not match the function object");
        }

        var shared = descriptor.Target.Kind == FunctionTargetKind.Singleton ? Singleton(declaringType) : null;
        return new ResolvedFunction(method, descriptor.Target, shared, context, parameterTypes, returnType);
    }

    /// <summary>The object to call the method on: null for a static method, else the singleton or a fresh closure.</summary>
    public static object? CreateTarget(ResolvedFunction function, IScalerSerializer serializer)
    {
        if (function.Target.Kind != FunctionTargetKind.Closure)
        {
            return function.SharedTarget;
        }

        var target = RebuildClosure(function.Target.Closure!, function.Context, serializer);
        if (!function.Method.DeclaringType!.IsInstanceOfType(target))
        {
            throw new FunctionLoadException($"the rebuilt closure is a {target.GetType()}, not a {function.Method.DeclaringType}");
        }

        return target;
    }

    private static MethodInfo FindMethod(FunctionDescriptor descriptor, Type declaringType)
    {
        var candidates = declaringType.GetMethods(AllDeclared);

        // The same build of the assembly: the metadata token names the method exactly.
        if (declaringType.Module.ModuleVersionId == descriptor.DeclaringModuleMvid)
        {
            foreach (var candidate in candidates)
            {
                if (candidate.MetadataToken == descriptor.MethodToken && candidate.Name == descriptor.MethodName)
                {
                    return candidate;
                }
            }

            throw new FunctionLoadException($"method {descriptor.MethodName} (token 0x{descriptor.MethodToken:x8}) was not found in {declaringType}");
        }

        // A shipped assembly must be the exact build; only framework and host methods may come from another build.
        if (descriptor.Code.Any(c => string.Equals(c.Name, descriptor.DeclaringType.AssemblyName, StringComparison.OrdinalIgnoreCase)))
        {
            throw new FunctionLoadException(
                $"assembly '{descriptor.DeclaringType.AssemblyName}' resolved to a different build (MVID {declaringType.Module.ModuleVersionId}) than the one the task was submitted with ({descriptor.DeclaringModuleMvid})");
        }

        var bySignature = candidates.Where(c => c.Name == descriptor.MethodName && c.ToString() == descriptor.MethodSignature).ToArray();
        return bySignature.Length == 1
            ? bySignature[0]
            : throw new FunctionLoadException($"method {descriptor.MethodSignature} was not found (or is ambiguous) in {declaringType} on this worker");
    }

    private static object Singleton(Type closureType)
    {
        var field = closureType.GetField("<>9", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic);
        return field?.GetValue(null) ?? throw new FunctionLoadException($"{closureType} has no lambda singleton instance");
    }

    private static object RebuildClosure(ClosureState state, AssemblyLoadContext context, IScalerSerializer serializer)
    {
        var type = state.Type.Resolve(context);
        if (!type.IsClass || !type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false))
        {
            throw new FunctionLoadException($"{type} is not a compiler-generated closure class");
        }

        var closure = RuntimeHelpers.GetUninitializedObject(type);
        foreach (var field in state.Fields)
        {
            var info = type.GetField(field.Name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                ?? throw new FunctionLoadException($"closure {type} has no field '{field.Name}'");
            object? value;
            switch (field.Kind)
            {
                case ClosureFieldKind.Value:
                    try
                    {
                        value = serializer.Deserialize(field.Value, info.FieldType);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        throw new FunctionLoadException(
                            $"captured variable '{field.Name}' of type {TypeNames.Display(info.FieldType)} could not be deserialized: {e.Message}", e);
                    }

                    break;
                case ClosureFieldKind.Closure:
                    value = RebuildClosure(field.Nested!, context, serializer);
                    break;
                default:
                    value = null;
                    break;
            }

            try
            {
                info.SetValue(closure, value);
            }
            catch (ArgumentException e)
            {
                throw new FunctionLoadException($"captured variable '{field.Name}' cannot be set: {e.Message}", e);
            }
        }

        return closure;
    }
}
