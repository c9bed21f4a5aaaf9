namespace Platform.Symphony.Soam;

// The service side of the stand-in: IBM's ServiceContainer shape. Run() does what the SIM would do, in-process: it
// feeds StandInServiceHarness.Inputs to the container as tasks of one session and records outputs and exceptions.

public sealed class ServiceContext
{
    internal ServiceContext() { }
    public string ApplicationName => "ScalerApp";
}

public sealed class SessionContext
{
    internal SessionContext(string sessionId) => SessionId = sessionId;
    public string SessionId { get; }
}

public sealed class TaskContext
{
    private readonly byte[] _input;

    internal TaskContext(string sessionId, string taskId, byte[] input)
    {
        SessionId = sessionId;
        TaskId = taskId;
        _input = input;
    }

    public string SessionId { get; }
    public string TaskId { get; }
    internal byte[]? Output { get; private set; }

    public void PopulateTaskInput(Message message) => message.OnDeserialize(new InputStream(_input));

    public void SetTaskOutput(Message message)
    {
        var stream = new OutputStream();
        message.OnSerialize(stream);
        Output = stream.Written;
    }
}

public static class StandInServiceHarness
{
    public static List<byte[]> Inputs { get; } = [];

    /// <summary>Per task: "output:BASE64" or "EXCEPTIONTYPE:message".</summary>
    public static List<string> Results { get; } = [];

    /// <summary>The life-cycle calls, in order.</summary>
    public static List<string> Calls { get; } = [];
}

public abstract class ServiceContainer
{
    public virtual void OnCreateService(ServiceContext serviceContext) { }
    public virtual void OnSessionEnter(SessionContext sessionContext) { }
    public abstract void OnInvoke(TaskContext taskContext);
    public virtual void OnSessionLeave() { }
    public virtual void OnDestroyService() { }

    public void Run()
    {
        StandInServiceHarness.Calls.Add("OnCreateService");
        OnCreateService(new ServiceContext());
        StandInServiceHarness.Calls.Add("OnSessionEnter");
        OnSessionEnter(new SessionContext("7"));
        var number = 0;
        foreach (var input in StandInServiceHarness.Inputs)
        {
            var context = new TaskContext("7", (++number).ToString(System.Globalization.CultureInfo.InvariantCulture), input);
            StandInServiceHarness.Calls.Add("OnInvoke");
            try
            {
                OnInvoke(context);
                StandInServiceHarness.Results.Add("output:" + Convert.ToBase64String(context.Output ?? []));
            }
            catch (SoamException e)
            {
                StandInServiceHarness.Results.Add(e.GetType().Name + ":" + e.Message);
            }
        }

        StandInServiceHarness.Calls.Add("OnSessionLeave");
        OnSessionLeave();
        StandInServiceHarness.Calls.Add("OnDestroyService");
        OnDestroyService();
    }
}
