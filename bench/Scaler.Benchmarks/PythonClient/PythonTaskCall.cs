namespace Scaler.Benchmarks.PythonClient;

/// <summary>
/// One task for <see cref="ReferenceClientObjects.BuildAsync"/>: Python expressions evaluated in the namespace of the
/// request's source, which is named <c>__main__</c> as a user's script is. <paramref name="Function"/> is a name
/// (<c>"square"</c>) or any expression that gives a callable (<c>"make_adder(10)"</c>); each of
/// <paramref name="Arguments"/> gives one argument value (<c>"7"</c>, <c>"(2, 3)"</c>).
/// </summary>
public sealed record PythonTaskCall(string Function, IReadOnlyList<string> Arguments)
{
    public PythonTaskCall(string function, params string[] arguments)
        : this(function, (IReadOnlyList<string>)arguments)
    {
    }
}
