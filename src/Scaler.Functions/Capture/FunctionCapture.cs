using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace Scaler.Functions;

/// <summary>
/// Client side: turns a delegate into a <see cref="FunctionDescriptor"/> and the code assemblies it needs, refusing
/// (with <see cref="FunctionNotShippableException"/>) anything that could not run elsewhere.
/// </summary>
internal static class FunctionCapture
{
    private const int MaxClosureDepth = 16;

    private const BindingFlags InstanceFields = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    public static CapturedFunction Capture(Delegate function, IScalerSerializer serializer)
    {
        var invocationCount = function.GetInvocationList().Length;
        if (invocationCount != 1)
        {
            throw new FunctionNotShippableException(
                $"the delegate has {invocationCount} invocation targets (a multicast delegate); only a single method can be shipped");
        }

        var method = function.Method;
        if (method is DynamicMethod || method.DeclaringType is null || method.Module.Assembly.IsDynamic)
        {
            throw new FunctionNotShippableException(
                $"the delegate calls a method built at run time ('{method.Name}', e.g. from Reflection.Emit or a compiled "
                + "expression tree), which has no assembly to ship");
        }

        var invoke = function.GetType().GetMethod("Invoke")!;
        var parameters = invoke.GetParameters();
        foreach (var parameter in parameters)
        {
            if (parameter.ParameterType.IsByRef || parameter.ParameterType.IsPointer)
            {
                throw new FunctionNotShippableException(
                    $"parameter '{parameter.Name}' is passed by reference or as a pointer ({TypeNames.Display(parameter.ParameterType)}); only values can be shipped");
            }
        }

        var parameterTypes = parameters.Select(p => p.ParameterType).ToArray();
        var returnType = invoke.ReturnType;
        var assemblies = new HashSet<Assembly> { method.Module.Assembly };
        foreach (var type in parameterTypes.Append(returnType))
        {
            AddAssemblies(type, assemblies);
        }

        var target = CaptureTarget(function, method, serializer, assemblies);
        var definition = method.IsGenericMethod ? method.GetGenericMethodDefinition() : method;
        var genericArguments = method.IsGenericMethod ? method.GetGenericArguments() : [];
        foreach (var argument in genericArguments)
        {
            AddAssemblies(argument, assemblies);
        }

        AddAssemblies(method.DeclaringType, assemblies);
        var code = CodeAssemblyCollector.Collect(OrderedRoots(method.Module.Assembly, assemblies));
        var descriptor = new FunctionDescriptor(
            code.Select(c => c.Reference).ToArray(),
            TypeReference.From(method.DeclaringType),
            method.Module.ModuleVersionId,
            method.Name,
            method.MetadataToken,
            definition.ToString() ?? method.Name,
            genericArguments.Select(TypeReference.From).ToArray(),
            parameterTypes.Select(TypeReference.From).ToArray(),
            returnType == typeof(void) ? null : TypeReference.From(returnType),
            target);
        var methodParameters = method.GetParameters();
        // Parameter names for error messages: the method's own, unless the delegate's signature differs from it.
        return new CapturedFunction(descriptor, code, parameterTypes, returnType, methodParameters.Length == parameters.Length ? methodParameters : parameters);
    }

    private static IEnumerable<Assembly> OrderedRoots(Assembly declaring, HashSet<Assembly> all) =>
        all.Where(a => a != declaring).OrderBy(FrameworkAssemblies.SimpleName, StringComparer.Ordinal).Prepend(declaring);

    private static FunctionTarget CaptureTarget(Delegate function, MethodInfo method, IScalerSerializer serializer, HashSet<Assembly> assemblies)
    {
        var target = function.Target;
        if (method.IsStatic)
        {
            if (target is not null)
            {
                throw new FunctionNotShippableException(
                    $"the delegate is bound to static method {TypeNames.Display(method.DeclaringType!)}.{method.Name} with its "
                    + "first argument closed over (e.g. an extension method group); pass that value as an argument instead");
            }

            return FunctionTarget.None;
        }

        var targetType = target!.GetType();
        if (!IsClosureType(targetType))
        {
            throw new FunctionNotShippableException(
                $"the delegate calls instance method {TypeNames.Display(method.DeclaringType!)}.{method.Name} on an object of type "
                + $"{TypeNames.Display(targetType)}; only static methods and lambdas can be shipped (use a static method or a "
                + "lambda that captures the values it needs)");
        }

        var singleton = targetType.GetField("<>9", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic);
        if (singleton is not null && ReferenceEquals(singleton.GetValue(null), target))
        {
            return FunctionTarget.Singleton;
        }

        var used = ClosureFieldUsage.FieldsUsedBy(method);
        return new FunctionTarget(FunctionTargetKind.Closure, CaptureClosure(target, serializer, assemblies, used, 0));
    }

    private static ClosureState CaptureClosure(
        object closure, IScalerSerializer serializer, HashSet<Assembly> assemblies, HashSet<(Module, int)>? used, int depth)
    {
        if (depth > MaxClosureDepth)
        {
            throw new FunctionNotShippableException($"the lambda's closures are nested deeper than {MaxClosureDepth} levels");
        }

        var type = closure.GetType();
        AddAssemblies(type, assemblies);
        var fields = new List<ClosureField>();
        foreach (var field in type.GetFields(InstanceFields).OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            // A variable only other lambdas of the same scope use stays behind (its field is left null or zero).
            if (used is not null && !used.Contains((field.Module, field.MetadataToken)))
            {
                continue;
            }

            var value = field.GetValue(closure);
            if (value is null)
            {
                fields.Add(new ClosureField(field.Name, ClosureFieldKind.Null, default, null));
                continue;
            }

            if (IsClosureType(field.FieldType) && IsClosureType(value.GetType()))
            {
                fields.Add(new ClosureField(field.Name, ClosureFieldKind.Closure, default, CaptureClosure(value, serializer, assemblies, used, depth + 1)));
                continue;
            }

            var reason = UnshippableTypes.Reason(field.FieldType) ?? UnshippableTypes.Reason(value.GetType());
            if (reason is not null)
            {
                throw NotSerializable(field, value, reason, null);
            }

            byte[] bytes;
            try
            {
                bytes = serializer.Serialize(value, field.FieldType);
                // A value that writes but does not read back (no usable constructor, say) would fail on the
                // worker; trying it here moves that failure to submit time, where it can be fixed.
                _ = serializer.Deserialize(bytes, field.FieldType);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw NotSerializable(field, value, $"the {serializer.FormatId} serializer failed: {e.Message}", e);
            }

            AddAssemblies(field.FieldType, assemblies);
            fields.Add(new ClosureField(field.Name, ClosureFieldKind.Value, bytes, null));
        }

        return new ClosureState(TypeReference.From(type), fields);
    }

    private static FunctionNotShippableException NotSerializable(FieldInfo field, object value, string reason, Exception? inner)
    {
        var what = field.Name == "<>4__this"
            ? $"'this' (of type {TypeNames.Display(value.GetType())})"
            : $"'{field.Name}' of type {TypeNames.Display(value.GetType())}";
        var message = $"the lambda captures {what}, which cannot be serialized: {reason}";
        return inner is null ? new FunctionNotShippableException(message) : new FunctionNotShippableException(message, inner);
    }

    /// <summary>The classes C# generates for lambdas: <c>&lt;&gt;c</c> (no captures) and <c>&lt;&gt;c__DisplayClass…</c>.</summary>
    private static bool IsClosureType(Type type) =>
        type.IsClass
        && type.Name.StartsWith("<>c", StringComparison.Ordinal)
        && type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    private static void AddAssemblies(Type type, HashSet<Assembly> into)
    {
        while (type.HasElementType)
        {
            type = type.GetElementType()!;
        }

        into.Add(type.Assembly);
        if (type.IsConstructedGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                AddAssemblies(argument, into);
            }
        }
    }
}
