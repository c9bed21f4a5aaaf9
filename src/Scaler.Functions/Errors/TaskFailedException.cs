using Scaler.Functions;

namespace Scaler;

/// <summary>A task's function threw (or the task could not be set up) on the run side.</summary>
public sealed class TaskFailedException : Exception
{
    public TaskFailedException()
        : this(new RemoteError("unknown", "the task failed", ""))
    {
    }

    public TaskFailedException(string message)
        : this(new RemoteError("unknown", message, ""))
    {
    }

    public TaskFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = new RemoteError("unknown", message, "");
    }

    public TaskFailedException(RemoteError error)
        : base(FormatMessage(error))
    {
        Error = error;
    }

    public RemoteError Error { get; }

    /// <summary>Full name of the exception type thrown on the run side.</summary>
    public string RemoteTypeName => Error.TypeName;

    public string RemoteMessage => Error.Message;

    public string RemoteStackTrace => Error.StackTrace;

    public override string ToString() =>
        string.IsNullOrEmpty(RemoteStackTrace)
            ? base.ToString()
            : $"{base.ToString()}{Environment.NewLine}--- remote stack trace ---{Environment.NewLine}{RemoteStackTrace}";

    private static string FormatMessage(RemoteError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return $"the task failed remotely with {error.TypeName}: {error.Message}";
    }
}
