using Scaler.Symphony.Service;
using Scaler.Symphony.Soam;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>
/// A service instance of a package older than result layout 2: it ignores the envelope's flags (so it never answers
/// code-missing, and answers in layout 1), as the Scaler task service did before code by hash.
/// </summary>
public sealed class LegacyScalerService : ServiceContainer
{
    private readonly ScalerTaskService _inner = new();

    public override void OnCreateService(ServiceContext serviceContext) => _inner.OnCreateService(serviceContext);

    public override void OnInvoke(TaskContext taskContext)
    {
        ArgumentNullException.ThrowIfNull(taskContext);
        var envelope = SymphonyTaskEnvelope.Decode(taskContext.PopulateTaskInput());
        var unflagged = new SymphonyTaskEnvelope(
            envelope.SerializerObject, envelope.FunctionObject, envelope.ArgumentObjects, envelope.CodeAssemblies, SymphonyEnvelopeFlags.None);
        var inner = new TaskContext(taskContext.SessionId, taskContext.TaskId, unflagged.Encode());
        _inner.OnInvoke(inner);
        taskContext.SetTaskOutput(inner.Output);
    }
}
