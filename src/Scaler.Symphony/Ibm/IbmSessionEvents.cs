using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Ibm;

/// <summary>
/// Turns IBM's callback arguments into ours, on IBM's callback threads. The output is read inside the callback
/// (IBM's handle may not outlive it); a handle the adapter cannot read becomes a failed output, so the task still
/// completes.
/// </summary>
internal sealed class IbmSessionEvents
{
    private readonly IbmSoamApi _api;
    private readonly SessionCallback _callback;

    public IbmSessionEvents(IbmSoamApi api, SessionCallback callback)
    {
        _api = api;
        _callback = callback;
    }

    public void OnResponse(object? native)
    {
        if (native is null)
        {
            return;
        }

        var id = IbmMembers.GetString(native, "Id");
        TaskOutputHandle output;
        try
        {
            output = Convert(native, id);
        }
        catch (Exception e) when (e is SoamException or InvalidCastException or ArgumentException)
        {
            output = TaskOutputHandle.Failed(id, new SoamException($"task {id}: the output could not be read through IBM's API: {e.Message}", e));
        }

        _callback.RaiseResponse(output);
    }

    public void OnException(object? native)
    {
        var exception = native as Exception;
        var ours = exception is null ? null : IbmMembers.Translate(exception) as SoamException;
        _callback.RaiseException(ours ?? new SoamException(exception?.Message ?? "IBM's session callback reported an exception", exception));
    }

    private TaskOutputHandle Convert(object native, string id)
    {
        if (IbmMembers.Get(native, "IsSuccessful") is true)
        {
            var message = _api.NewObject("DefaultByteArrayMessage");
            IbmMembers.Invoke(native, "PopulateTaskOutput", message);
            return TaskOutputHandle.Succeeded(id, IbmSoamApi.ReadByteArrayMessage(message));
        }

        var failure = IbmMembers.Get(native, "Exception") as Exception;
        Exception? embedded = null;
        if (failure is not null)
        {
            try
            {
                embedded = IbmMembers.Get(failure, "EmbeddedException") as Exception;
            }
            catch (SoamException)
            {
                embedded = failure.InnerException;
            }
        }

        var translated = embedded is null ? null : IbmMembers.Translate(embedded);
        return TaskOutputHandle.Failed(id, new SoamException(failure?.Message ?? $"task {id} failed", translated));
    }
}
