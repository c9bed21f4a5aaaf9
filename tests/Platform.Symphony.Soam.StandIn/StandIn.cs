using System.Globalization;

namespace Platform.Symphony.Soam;

// Names follow IBM's .NET reference (SoamFactory, Connection, Session, SessionCreationAttributes with properties,
// a sealed SessionCallback with events, TaskOutputHandle, DefaultByteArrayMessage). TaskSubmissionAttributes uses the
// Get/Set style on purpose, so the adapter's both-spellings binding is exercised. The "service" runs in-process:
// it echoes the input; an input starting with "hold:" never finishes; an input starting with "fail:" fails the task with a FailureException. Every third output is
// delivered twice, as a re-attached client can see.

public class SoamException : Exception
{
    public SoamException() { }
    public SoamException(string message) : base(message) { }
    public SoamException(string message, Exception? embedded) : base(message, embedded) { }
    public Exception? EmbeddedException => InnerException;
}

public class FailureException : SoamException
{
    public FailureException(string message) : base(message) { }
}

public class FatalException : SoamException
{
    public FatalException(string message) : base(message) { }
}

public abstract class ConnectionSecurityCallback { }

public class DefaultSecurityCallback : ConnectionSecurityCallback
{
    public DefaultSecurityCallback(string userName, string password)
    {
        UserName = userName;
        Password = password;
    }

    public string UserName { get; }
    public string Password { get; }
}

[Flags]
public enum SessionFlags
{
    SendSync = 1,
    ReceiveSync = 2,
    ReceiveAsync = 4,
    AliasSync = SendSync | ReceiveSync,
    AliasPartialAsync = SendSync | ReceiveAsync,
}

public enum SessionCloseFlags
{
    DestroyOnClose = 0,
    DetachOnClose = 1,
}

public abstract class Message
{
    public abstract void OnSerialize(OutputStream stream);
    public abstract void OnDeserialize(InputStream stream);
}

public sealed class OutputStream
{
    internal byte[] Written { get; private set; } = [];
    public void Write(byte[] data) => Written = [.. Written, .. data];
}

public sealed class InputStream
{
    private readonly byte[] _data;
    internal InputStream(byte[] data) => _data = data;
    public byte[] ReadByteArray() => _data;
}

public class DefaultByteArrayMessage : Message
{
    public DefaultByteArrayMessage() { }
    public DefaultByteArrayMessage(byte[] data) => ByteArray = data;
    public byte[] ByteArray { get; set; } = [];
    public override void OnSerialize(OutputStream stream) => stream.Write(ByteArray);
    public override void OnDeserialize(InputStream stream) => ByteArray = stream.ReadByteArray();
}

public delegate void ResponseHandler(TaskOutputHandle output);

public delegate void ExceptionHandler(SoamException exception);

public sealed class SessionCallback
{
    public event ResponseHandler? OnResponse;
    public event ExceptionHandler? OnException;
    internal void Response(TaskOutputHandle output) => OnResponse?.Invoke(output);
    internal void Exception(SoamException exception) => OnException?.Invoke(exception);
}

public class SessionCreationAttributes
{
    public string SessionName { get; set; } = "";
    public string SessionType { get; set; } = "";
    public SessionFlags SessionFlags { get; set; } = SessionFlags.AliasSync;
    public SessionCallback? SessionCallback { get; set; }
    public string? ServiceName { get; set; }
}

public class TaskSubmissionAttributes
{
    private Message? _input;
    private bool _priority;
    public void SetTaskInput(Message message) => _input = message;
    public Message? GetTaskInput() => _input;
    public void SetPriorityTask(bool priority) => _priority = priority;
    public bool GetPriorityTask() => _priority;
}

public sealed class TaskInputHandle
{
    internal TaskInputHandle(string id) => Id = id;
    public string Id { get; }
}

public sealed class TaskOutputHandle
{
    private readonly byte[] _output;

    internal TaskOutputHandle(string id, byte[] output, SoamException? exception)
    {
        Id = id;
        _output = output;
        Exception = exception;
    }

    public string Id { get; }
    public bool IsSuccessful => Exception is null;
    public SoamException? Exception { get; }

    public void PopulateTaskOutput(Message message)
    {
        if (!IsSuccessful)
        {
            throw new SoamException("the task failed; it has no output");
        }

        message.OnDeserialize(new InputStream(_output));
    }
}

public static class SoamFactory
{
    private static int s_initialized;
    private static long s_connections;

    public static string[] KnownApplications { get; set; } = ["ScalerApp"];

    public static string[] KnownSessionTypes { get; set; } = ["RecoverableAllHistoricalData"];

    public static void Initialize() => Interlocked.Exchange(ref s_initialized, 1);

    public static void Uninitialize() => Interlocked.Exchange(ref s_initialized, 0);

    public static Connection Connect(string applicationName, ConnectionSecurityCallback securityCallback)
    {
        if (Volatile.Read(ref s_initialized) == 0)
        {
            throw new SoamException("SoamFactory.Initialize was not called");
        }

        if (!KnownApplications.Contains(applicationName))
        {
            throw new SoamException($"application {applicationName} is not registered");
        }

        return new Connection(Interlocked.Increment(ref s_connections).ToString(CultureInfo.InvariantCulture));
    }
}

public sealed class Connection
{
    private long _sessions;

    internal Connection(string id) => Id = id;

    public string Id { get; }

    public Session CreateSession(SessionCreationAttributes attributes)
    {
        if (!SoamFactory.KnownSessionTypes.Contains(attributes.SessionType))
        {
            throw new SoamException($"session type {attributes.SessionType} is not defined");
        }

        if ((attributes.SessionFlags & SessionFlags.ReceiveAsync) != 0 && attributes.SessionCallback is null)
        {
            throw new SoamException("an asynchronous session needs a callback");
        }

        return new Session(Id + "-" + Interlocked.Increment(ref _sessions).ToString(CultureInfo.InvariantCulture), attributes.SessionCallback!);
    }

    public void Close() { }
}

public sealed class Session
{
    private readonly SessionCallback _callback;
    private long _tasks;
    private volatile bool _open = true;

    internal Session(string id, SessionCallback callback)
    {
        Id = id;
        _callback = callback;
    }

    public string Id { get; }

    public TaskInputHandle SendTaskInput(TaskSubmissionAttributes attributes)
    {
        if (!_open)
        {
            throw new SoamException("the session is not open");
        }

        var stream = new OutputStream();
        (attributes.GetTaskInput() ?? throw new SoamException("no task input")).OnSerialize(stream);
        var number = Interlocked.Increment(ref _tasks);
        var id = number.ToString(CultureInfo.InvariantCulture);
        var input = stream.Written;
        ThreadPool.QueueUserWorkItem(_ =>
        {
            var text = System.Text.Encoding.UTF8.GetString(input);
            if (text.StartsWith("hold:", StringComparison.Ordinal))
            {
                return;
            }

            var output = text.StartsWith("fail:", StringComparison.Ordinal)
                ? new TaskOutputHandle(id, [], new SoamException("task failed", new FailureException(text[5..])))
                : new TaskOutputHandle(id, input, null);
            if (!_open)
            {
                return;
            }

            _callback.Response(output);
            if (number % 3 == 0)
            {
                _callback.Response(output);
            }
        });
        return new TaskInputHandle(id);
    }

    public void Close() => Close(SessionCloseFlags.DestroyOnClose);

    public void Close(SessionCloseFlags flags) => _open = false;

    /// <summary>Stand-in only: what an administrator's kill does.</summary>
    public void Abort(string reason)
    {
        _open = false;
        _callback.Exception(new SoamException("session aborted: " + reason));
    }
}
