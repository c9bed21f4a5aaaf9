namespace Scaler.Symphony.Soam;

/// <summary>
/// The service side of SOAM, as its <c>ServiceContainer</c>: one instance per service-instance process. The host
/// calls <see cref="OnCreateService"/> once, <see cref="OnSessionEnter"/> when the instance is bound to a session,
/// <see cref="OnInvoke"/> once per task (one task at a time), <see cref="OnSessionLeave"/> when it is unbound and
/// <see cref="OnDestroyService"/> before the process ends. Throw <see cref="FailureException"/> from
/// <see cref="OnInvoke"/> to have the task retried, <see cref="FatalException"/> to fail it at once.
/// </summary>
public abstract class ServiceContainer
{
    public virtual void OnCreateService(ServiceContext serviceContext)
    {
    }

    public virtual void OnSessionEnter(SessionContext sessionContext)
    {
    }

    public abstract void OnInvoke(TaskContext taskContext);

    public virtual void OnSessionLeave()
    {
    }

    public virtual void OnDestroyService()
    {
    }
}
