namespace Scaler.Functions;

/// <summary>What the function object says: which method to call, on what, with which code. See docs/functions.md.</summary>
internal sealed record FunctionDescriptor(
    IReadOnlyList<CodeAssemblyReference> Code,
    TypeReference DeclaringType,
    Guid DeclaringModuleMvid,
    string MethodName,
    int MethodToken,
    string MethodSignature,
    IReadOnlyList<TypeReference> MethodGenericArguments,
    IReadOnlyList<TypeReference> ParameterTypes,
    TypeReference? ReturnType,
    FunctionTarget Target);

internal enum FunctionTargetKind
{
    /// <summary>A static method: no target object.</summary>
    None = 0,

    /// <summary>A non-capturing lambda: the compiler's singleton closure instance (static field <c>&lt;&gt;9</c>).</summary>
    Singleton = 1,

    /// <summary>A capturing lambda: a closure object rebuilt from its serialized fields.</summary>
    Closure = 2,
}

internal sealed record FunctionTarget(FunctionTargetKind Kind, ClosureState? Closure)
{
    public static FunctionTarget None { get; } = new(FunctionTargetKind.None, null);

    public static FunctionTarget Singleton { get; } = new(FunctionTargetKind.Singleton, null);
}

/// <summary>A compiler-generated closure object: its type and the value of each field.</summary>
internal sealed record ClosureState(TypeReference Type, IReadOnlyList<ClosureField> Fields);

internal enum ClosureFieldKind
{
    Null = 0,

    /// <summary><see cref="ClosureField.Value"/> holds the value written by the task's serializer with the field's type.</summary>
    Value = 1,

    /// <summary>The field holds another closure object (a lambda capturing variables of enclosing scopes).</summary>
    Closure = 2,
}

internal sealed record ClosureField(string Name, ClosureFieldKind Kind, ReadOnlyMemory<byte> Value, ClosureState? Nested);
