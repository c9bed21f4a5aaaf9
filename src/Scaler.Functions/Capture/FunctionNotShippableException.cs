namespace Scaler.Functions;

/// <summary>
/// Thrown at submit time when a delegate cannot be run elsewhere: it captures something the serializer cannot
/// write, targets an instance method of an arbitrary object, has several invocation targets, or was built at run
/// time. The message says which and why.
/// </summary>
public sealed class FunctionNotShippableException : Exception
{
    public FunctionNotShippableException()
    {
    }

    public FunctionNotShippableException(string message)
        : base(message)
    {
    }

    public FunctionNotShippableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
