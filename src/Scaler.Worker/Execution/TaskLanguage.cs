using Scaler.Functions;
using Scaler.Python.Pickles;

namespace Scaler.Worker.Execution;

/// <summary>
/// The kind of client a task comes from, told by its serializer object: Scaler.NET's serializer header, or a pickle
/// (the reference Python client's cloudpickle serializer). It decides how the task runs and how its failures are
/// written, since each client reads only its own (a .NET client reads a JSON <see cref="RemoteError"/>, a Python
/// client <c>pickle.loads</c> a failed task's result object).
/// </summary>
public enum TaskLanguage
{
    /// <summary>Neither: a serializer object this worker does not recognise (or one it could not fetch).</summary>
    Unknown,

    DotNet,

    Python,
}

/// <summary>Tells a task's <see cref="TaskLanguage"/> from its serializer object.</summary>
public static class TaskLanguages
{
    public static TaskLanguage Detect(ReadOnlySpan<byte> serializerObject) =>
        PickleReader.LooksLikePickle(serializerObject) ? TaskLanguage.Python
        : serializerObject.StartsWith(SerializerMagic) ? TaskLanguage.DotNet
        : TaskLanguage.Unknown;

    private static readonly byte[] SerializerMagic = System.Text.Encoding.ASCII.GetBytes(SerializerDescriptor.Magic + " ");
}
