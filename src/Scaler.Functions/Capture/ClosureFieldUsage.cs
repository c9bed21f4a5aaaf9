using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace Scaler.Functions;

/// <summary>
/// Which closure fields a lambda actually reads. C# puts every variable captured in one scope into one closure
/// object shared by all lambdas of that scope, so a lambda's target can hold variables only another lambda uses
/// (a stream, a client, the delegate variable itself). Scanning the IL of the lambda (and of the compiler-generated
/// methods it calls: local functions, nested lambdas) for field references lets capture ship just those. When the IL
/// cannot be read, the answer is null and every field is shipped.
/// </summary>
internal static class ClosureFieldUsage
{
    private const int MaxMethods = 64;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    public static HashSet<(Module Module, int Token)>? FieldsUsedBy(MethodInfo method)
    {
        var used = new HashSet<(Module, int)>();
        var scanned = new HashSet<MethodBase>();
        var pending = new Stack<MethodBase>();
        pending.Push(method);
        try
        {
            while (pending.TryPop(out var current))
            {
                if (!scanned.Add(current))
                {
                    continue;
                }

                if (scanned.Count > MaxMethods)
                {
                    return null;
                }

                if (!Scan(current, used, pending))
                {
                    return null;
                }
            }
        }
        catch (Exception e) when (e is ArgumentException or BadImageFormatException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }

        return used;
    }

    private static bool Scan(MethodBase method, HashSet<(Module, int)> used, Stack<MethodBase> pending)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            return false;
        }

        var module = method.Module;
        var typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
            {
                if (position >= il.Length)
                {
                    return false;
                }

                value = unchecked((short)(0xFE00 | il[position++]));
            }

            if (!OpCodesByValue.TryGetValue(value, out var opCode))
            {
                return false;
            }

            var operandSize = OperandSize(opCode.OperandType, il, position);
            if (operandSize < 0 || position + operandSize > il.Length)
            {
                return false;
            }

            if (opCode.OperandType is OperandType.InlineField or OperandType.InlineMethod)
            {
                var token = BitConverter.ToInt32(il, position);
                if (opCode.OperandType == OperandType.InlineField)
                {
                    var field = module.ResolveField(token, typeArguments, methodArguments);
                    if (field is not null)
                    {
                        used.Add((field.Module, field.MetadataToken));
                    }
                }
                else if (module.ResolveMethod(token, typeArguments, methodArguments) is { } callee && IsCompilerGeneratedCode(callee, module))
                {
                    pending.Push(callee);
                }
            }

            position += operandSize;
        }

        return true;
    }

    /// <summary>Lambdas and local functions: bodies the compiler generated next to the scanned one.</summary>
    private static bool IsCompilerGeneratedCode(MethodBase method, Module module) =>
        method.Module == module
        && method.GetMethodBody() is not null
        && (method.Name.Contains(">g__", StringComparison.Ordinal)
            || method.Name.Contains(">b__", StringComparison.Ordinal)
            || method.DeclaringType?.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false) == true);

    private static int OperandSize(OperandType type, byte[] il, int position) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => position + 4 <= il.Length ? 4 + (4 * BitConverter.ToInt32(il, position)) : -1,
        _ => 4,
    };
}
