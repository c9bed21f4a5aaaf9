namespace Scaler.Internal;

/// <summary>One node: a value (<see cref="Function"/> null) or a call.</summary>
internal sealed record GraphNode(string Key, object? Value, Type? ValueType, Delegate? Function, string[] Arguments);
