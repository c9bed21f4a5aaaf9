using System.Collections.Concurrent;
using System.Reflection;
using Scaler.Functions;

namespace Scaler.Internal;

/// <summary>
/// Captures delegates once per client where that is safe. A static method or a lambda that captures nothing has no
/// state, so its capture (descriptor, code list) depends only on the method and the delegate type and is cached.
/// A closure is captured on every call: its captured values are read at capture time and may have changed.
/// </summary>
internal sealed class FunctionCache
{
    private const int MaxEntries = 4096;

    private readonly ConcurrentDictionary<(MethodInfo Method, Type DelegateType), ShippableFunction> _stateless = new();
    private readonly IScalerSerializer _serializer;

    public FunctionCache(IScalerSerializer serializer) => _serializer = serializer;

    public ShippableFunction Capture(Delegate function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (!IsStateless(function))
        {
            return ShippableFunction.Capture(function, _serializer);
        }

        var key = (function.Method, function.GetType());
        if (_stateless.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var captured = ShippableFunction.Capture(function, _serializer);
        if (_stateless.Count < MaxEntries)
        {
            _stateless.TryAdd(key, captured);
        }

        return captured;
    }

    private static bool IsStateless(Delegate function)
    {
        if (function.HasSingleTarget is false)
        {
            return false;
        }

        var target = function.Target;
        return target is null
            || target.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Length == 0;
    }
}
