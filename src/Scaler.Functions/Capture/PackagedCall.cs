namespace Scaler.Functions;

/// <summary>Client side: the objects one task needs. Store each, then submit the task naming their ids.</summary>
public sealed class PackagedCall
{
    internal PackagedCall(ShippableFunction function, IReadOnlyList<ReadOnlyMemory<byte>> argumentObjects)
    {
        Function = function;
        ArgumentObjects = argumentObjects;
    }

    public ShippableFunction Function { get; }

    public ReadOnlyMemory<byte> SerializerObject => Function.SerializerObject;

    public ReadOnlyMemory<byte> FunctionObject => Function.FunctionObject;

    /// <summary>One object per argument, in parameter order.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> ArgumentObjects { get; }

    public IReadOnlyList<CodeAssembly> CodeAssemblies => Function.CodeAssemblies;

    /// <summary>Captures <paramref name="function"/> and serializes <paramref name="arguments"/> in one step.</summary>
    public static PackagedCall Create(Delegate function, params object?[] arguments) =>
        ShippableFunction.Capture(function).Package(arguments);
}
