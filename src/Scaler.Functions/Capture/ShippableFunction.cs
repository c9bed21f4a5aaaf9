using System.Reflection;

namespace Scaler.Functions;

/// <summary>
/// Client side: a delegate captured for running elsewhere. Capture once per function, then serialize arguments per
/// call. Everything the run side needs is here: the serializer object, the function object, the code assemblies to
/// upload, and how to read the result back.
/// </summary>
public sealed class ShippableFunction
{
    private readonly ParameterInfo[] _parameters;
    private readonly Type[] _parameterTypes;

    private ShippableFunction(
        IScalerSerializer serializer, byte[] functionObject, IReadOnlyList<CodeAssembly> code, Type[] parameterTypes, ParameterInfo[] parameters, Type returnType)
    {
        Serializer = serializer;
        SerializerObject = SerializerDescriptor.For(serializer).ToBytes();
        FunctionObject = functionObject;
        CodeAssemblies = code;
        _parameterTypes = parameterTypes;
        _parameters = parameters;
        ReturnType = returnType;
        ResultType = AsyncResults.ResultType(returnType);
    }

    public IScalerSerializer Serializer { get; }

    /// <summary>The content of the client's serializer object (the same for every function of one serializer).</summary>
    public ReadOnlyMemory<byte> SerializerObject { get; }

    /// <summary>The content of the function object.</summary>
    public ReadOnlyMemory<byte> FunctionObject { get; }

    /// <summary>The assemblies to store (once per cluster, by hash) before the task is submitted.</summary>
    public IReadOnlyList<CodeAssembly> CodeAssemblies { get; }

    /// <summary>The delegate's declared parameter types; arguments are written with these.</summary>
    public IReadOnlyList<Type> ParameterTypes => _parameterTypes;

    /// <summary>The delegate's declared return type.</summary>
    public Type ReturnType { get; }

    /// <summary>The type of the value in the result object: the return type, or <c>T</c> for <c>Task&lt;T&gt;</c>; <see cref="void"/> if none.</summary>
    public Type ResultType { get; }

    /// <exception cref="FunctionNotShippableException">the delegate cannot run elsewhere; the message says why.</exception>
    public static ShippableFunction Capture(Delegate function, IScalerSerializer? serializer = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        serializer ??= MessagePackScalerSerializer.Instance;
        var captured = FunctionCapture.Capture(function, serializer);
        return new ShippableFunction(
            serializer, FunctionDescriptorCodec.Encode(captured.Descriptor), captured.Code, captured.ParameterTypes, captured.Parameters, captured.ReturnType);
    }

    /// <summary>Checks the arguments against the parameters and writes each one with its parameter's type.</summary>
    /// <exception cref="ArgumentException">wrong number of arguments, a value of the wrong type, or one the serializer cannot write.</exception>
    public IReadOnlyList<ReadOnlyMemory<byte>> SerializeArguments(params object?[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Length != _parameterTypes.Length)
        {
            throw new ArgumentException(
                $"the function takes {_parameterTypes.Length} argument(s) ({DescribeParameters()}), but {arguments.Length} were given",
                nameof(arguments));
        }

        var serialized = new ReadOnlyMemory<byte>[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            serialized[i] = SerializeArgument(i, arguments[i]);
        }

        return serialized;
    }

    /// <summary>Writes argument <paramref name="index"/> with its parameter's declared type.</summary>
    public ReadOnlyMemory<byte> SerializeArgument(int index, object? value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _parameterTypes.Length);
        var type = _parameterTypes[index];
        var name = _parameters[index].Name;
        if (value is null)
        {
            if (type.IsValueType && Nullable.GetUnderlyingType(type) is null)
            {
                throw new ArgumentException($"argument {index} ('{name}') is null, but its type {TypeNames.Display(type)} does not allow null");
            }
        }
        else if (!type.IsInstanceOfType(value))
        {
            throw new ArgumentException(
                $"argument {index} ('{name}') is a {TypeNames.Display(value.GetType())}, but the parameter is a {TypeNames.Display(type)}");
        }

        try
        {
            return Serializer.Serialize(value, type);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ArgumentException(
                $"argument {index} ('{name}') of type {TypeNames.Display(type)} cannot be serialized by the {Serializer.FormatId} serializer: {e.Message}", e);
        }
    }

    /// <summary>Reads a successful task's result object (null for functions with no result).</summary>
    public object? DeserializeResult(ReadOnlyMemory<byte> resultObject) =>
        ResultType == typeof(void) ? null : Serializer.Deserialize(resultObject, ResultType);

    /// <summary>Everything one call needs: serializer, function and argument objects, and the code to upload.</summary>
    public PackagedCall Package(params object?[] arguments) => new(this, SerializeArguments(arguments));

    private string DescribeParameters() =>
        string.Join(", ", _parameterTypes.Select((t, i) => $"{TypeNames.Display(t)} {_parameters[i].Name}"));
}
