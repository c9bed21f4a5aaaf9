using Scaler.Protocol.Messages;
using Scaler.Python.Pickles;
using Scaler.Python.Symphony;
using Scaler.Symphony.Service;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// A Python client's task as a SOAM task, in the reference worker manager's contract so that a Python service a shop
/// deployed for the reference runs it unchanged, and Scaler.NET's own service too (see
/// <see cref="PythonSoamTaskInput"/>): the input is a pickle of <c>(function, *arguments)</c>, the output
/// <c>cloudpickle.dumps(result)</c>. The worker manager runs no Python: it writes the input from the stored objects and
/// reads the output as bytes.
/// </summary>
internal static class PythonSoamContract
{
    /// <summary>The SOAM task input for a task's stored objects; Scaler.NET's service is asked to answer in the result envelope.</summary>
    public static byte[] BuildInput(
        ReadOnlyMemory<byte> serializer, bool referenceDefaultSerializer, ReadOnlyMemory<byte> function, IReadOnlyList<ReadOnlyMemory<byte>> arguments) =>
        PythonSoamTaskInput.Build(serializer.Span, referenceDefaultSerializer, function.Span, arguments, PythonSoamInputFlags.AnswerInEnvelope);

    /// <summary>
    /// The task's result from a successful SOAM output: Scaler.NET's service answers a <see cref="SymphonyTaskResult"/>
    /// (success, or failed with the pickled exception); a reference service answers the bare pickle. With the default
    /// serializer the pickle is the result object itself; with the client's own serializer it holds a list of the one
    /// result object (<see cref="PythonSoamTaskInput"/>). An output that reads as neither fails the task with the reason.
    /// </summary>
    public static (TaskResultType Type, ReadOnlyMemory<byte> ResultObject) ReadOutput(
        ReadOnlyMemory<byte> output, bool referenceDefaultSerializer, string soamTaskId)
    {
        var pickled = output;
        if (output.Span.StartsWith("SCLRSYMR"u8))
        {
            SymphonyTaskResult result;
            try
            {
                result = SymphonyTaskResult.Decode(output);
            }
            catch (SymphonyEnvelopeException e)
            {
                return Failed($"Symphony task {soamTaskId} returned a result envelope this worker manager cannot read: {e.Message}");
            }

            if (result.Kind != SymphonyTaskResultKind.Success)
            {
                return result.Kind == SymphonyTaskResultKind.Failed
                    ? (TaskResultType.Failed, result.Payload)
                    : Failed($"Symphony task {soamTaskId} answered {result.Kind}, which a Python task cannot");
            }

            pickled = result.Payload;
        }

        if (referenceDefaultSerializer)
        {
            return PickleReader.LooksLikePickle(pickled.Span)
                ? (TaskResultType.Success, pickled)
                : Failed($"Symphony task {soamTaskId} returned {pickled.Length} bytes that are not a pickle; the service must answer cloudpickle.dumps(result)");
        }

        return PythonPickles.TryReadBytes(pickled, out var resultObject, out var error)
            ? (TaskResultType.Success, resultObject)
            : Failed($"Symphony task {soamTaskId} returned an output that is not the serialized result the task asked for: {error}");
    }

    /// <summary>A failure the worker manager reports for a Python task (Symphony failed it, or its output is unreadable).</summary>
    public static byte[] Failure(string message) => PythonErrors.Runtime(message);

    private static (TaskResultType, ReadOnlyMemory<byte>) Failed(string message) => (TaskResultType.Failed, Failure(message));
}
