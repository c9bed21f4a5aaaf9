using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Ibm;

/// <summary>Our <see cref="ISoamSession"/> over IBM's <c>Session</c>.</summary>
internal sealed class IbmSoamSession : ISoamSession
{
    private readonly IbmSoamApi _api;

    public IbmSoamSession(IbmSoamApi api, object native)
    {
        _api = api;
        Native = native;
        Id = IbmMembers.GetString(native, "Id");
    }

    public string Id { get; }

    /// <summary>IBM's session object (tests reach stand-in-only members through it).</summary>
    internal object Native { get; }

    public TaskInputHandle SendTaskInput(TaskSubmissionAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var message = _api.NewByteArrayMessage(attributes.TaskInput.ToArray());
        var submission = _api.NewObject("TaskSubmissionAttributes");
        object? handle;
        if (IbmMembers.TrySet(submission, "TaskInput", message))
        {
            if (attributes.PriorityTask)
            {
                IbmMembers.Set(submission, "PriorityTask", true);
            }

            handle = IbmMembers.Invoke(Native, "SendTaskInput", submission);
        }
        else
        {
            // The documented positional overload SendTaskInput(Message, bool hasPriority).
            handle = IbmMembers.Invoke(Native, "SendTaskInput", message, attributes.PriorityTask);
        }

        return new TaskInputHandle(IbmMembers.GetString(handle ?? throw new SoamException("IBM's SendTaskInput returned null"), "Id"));
    }

    public void Close(SessionCloseFlags flags = SessionCloseFlags.DestroyOnClose)
    {
        var type = _api.TypeOf("SessionCloseFlags");
        if (IbmMembers.HasMethod(Native.GetType(), "Close", 1) && Enum.TryParse(type, flags.ToString(), out var native))
        {
            IbmMembers.Invoke(Native, "Close", native);
        }
        else
        {
            IbmMembers.Invoke(Native, "Close");
        }
    }

    public void Dispose() => Close();
}
