using System.Reflection;

namespace Scaler.Functions;

/// <summary>What capturing a delegate produced, before the descriptor is encoded.</summary>
internal sealed record CapturedFunction(
    FunctionDescriptor Descriptor,
    IReadOnlyList<CodeAssembly> Code,
    Type[] ParameterTypes,
    Type ReturnType,
    ParameterInfo[] Parameters);
