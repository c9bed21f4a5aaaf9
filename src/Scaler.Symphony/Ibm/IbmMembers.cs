using System.Globalization;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Ibm;

/// <summary>
/// Reflection helpers that accept both spellings IBM's API may use for one member: a property (<c>Id</c>) or
/// Get/Set methods (<c>GetId()</c>, <c>SetId(x)</c>), and translate IBM's exceptions into ours.
/// </summary>
internal static class IbmMembers
{
    private const BindingFlags Instance = BindingFlags.Public | BindingFlags.Instance;

    public static object? Get(object target, string name)
    {
        var type = target.GetType();
        if (type.GetProperty(name, Instance) is { CanRead: true } property && property.GetIndexParameters().Length == 0)
        {
            return Call(() => property.GetValue(target));
        }

        foreach (var methodName in new[] { "Get" + name, name, "Is" + name })
        {
            if (type.GetMethod(methodName, Instance, Type.EmptyTypes) is { } method)
            {
                return Call(() => method.Invoke(target, null));
            }
        }

        throw Missing(type, $"property {name} or method Get{name}()");
    }

    /// <summary>The member's value as text, or null when the object has no such member.</summary>
    public static string? TryGetString(object? target, string name)
    {
        if (target is null)
        {
            return null;
        }

        var type = target.GetType();
        var exists = type.GetProperty(name, Instance) is not null
            || type.GetMethod("Get" + name, Instance, Type.EmptyTypes) is not null
            || type.GetMethod(name, Instance, Type.EmptyTypes) is not null;
        return exists ? GetString(target, name) : null;
    }

    public static string GetString(object target, string name) =>
        Convert.ToString(Get(target, name), CultureInfo.InvariantCulture) ?? string.Empty;

    public static bool TrySet(object target, string name, object? value)
    {
        var type = target.GetType();
        if (type.GetProperty(name, Instance) is { CanWrite: true } property && Accepts(property.PropertyType, value))
        {
            Call(() =>
            {
                property.SetValue(target, value);
                return null;
            });
            return true;
        }

        var setter = type.GetMethods(Instance).FirstOrDefault(m =>
            m.Name == "Set" + name && m.GetParameters() is [var p] && Accepts(p.ParameterType, value));
        if (setter is null)
        {
            return false;
        }

        Call(() => setter.Invoke(target, [value]));
        return true;
    }

    public static void Set(object target, string name, object? value)
    {
        if (!TrySet(target, name, value))
        {
            throw Missing(target.GetType(), $"settable property {name} or method Set{name}(x)");
        }
    }

    /// <summary>Calls the public instance method <paramref name="name"/> whose parameters accept the arguments.</summary>
    public static object? Invoke(object target, string name, params object?[] arguments) =>
        InvokeOn(target.GetType(), target, name, Instance, arguments);

    public static object? InvokeStatic(Type type, string name, params object?[] arguments) =>
        InvokeOn(type, null, name, BindingFlags.Public | BindingFlags.Static, arguments);

    public static bool HasMethod(Type type, string name, int parameterCount) =>
        type.GetMethods(Instance).Any(m => m.Name == name && m.GetParameters().Length == parameterCount);

    /// <summary>Runs a reflective call and rethrows what IBM threw, as our exception types.</summary>
    public static object? Call(Func<object?> call)
    {
        try
        {
            return call();
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw Translate(e.InnerException);
        }
    }

    /// <summary>IBM's SoamException family becomes ours (same name, same message); anything else is kept.</summary>
    public static Exception Translate(Exception exception)
    {
        if (exception is SoamException)
        {
            return exception;
        }

        for (var type = exception.GetType(); type is not null; type = type.BaseType)
        {
            switch (type.Name)
            {
                case "FatalException":
                    return new FatalException(exception.Message, exception);
                case "FailureException":
                    return new FailureException(exception.Message, exception);
                case "SoamException":
                    return new SoamException(exception.Message, exception);
            }
        }

        ExceptionDispatchInfo.Capture(exception).Throw();
        return exception;
    }

    private static object? InvokeOn(Type type, object? target, string name, BindingFlags flags, object?[] arguments)
    {
        var method = type.GetMethods(flags).FirstOrDefault(m =>
            string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)
            && m.GetParameters() is var ps
            && ps.Length == arguments.Length
            && ps.Zip(arguments).All(pair => Accepts(pair.First.ParameterType, pair.Second)))
            ?? throw Missing(type, $"method {name} taking {arguments.Length} argument(s) of the given types");
        return Call(() => method.Invoke(target, arguments));
    }

    private static bool Accepts(Type parameter, object? value) =>
        value is null ? !parameter.IsValueType || Nullable.GetUnderlyingType(parameter) is not null : parameter.IsInstanceOfType(value);

    private static SoamException Missing(Type type, string what) =>
        new($"IBM's SOAM API does not have the expected member: {type.FullName} has no {what} (the adapter was written against IBM's documented names; see docs/symphony.md)");
}
