using System.Reflection;

namespace Scaler.Functions;

/// <summary>A function object turned back into something callable on this side.</summary>
internal sealed record ResolvedFunction(MethodInfo Method, object? Target, Type[] ParameterTypes, Type ReturnType);
