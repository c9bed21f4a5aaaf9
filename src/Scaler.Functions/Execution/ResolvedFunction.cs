using System.Reflection;
using System.Runtime.Loader;

namespace Scaler.Functions;

/// <summary>A function object turned back into something callable on this side; cached per function object.</summary>
internal sealed record ResolvedFunction(
    MethodInfo Method,
    FunctionTarget Target,
    object? SharedTarget,
    AssemblyLoadContext Context,
    Type[] ParameterTypes,
    Type ReturnType);
