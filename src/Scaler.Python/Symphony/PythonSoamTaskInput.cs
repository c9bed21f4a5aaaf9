using System.Buffers.Binary;

namespace Scaler.Python.Symphony;

/// <summary>
/// The input of a Python task sent as a Symphony (SOAM) task, in the reference worker manager's contract: one byte
/// array that <c>cloudpickle.loads</c> turns into the tuple <c>(function, *arguments)</c>; the service answers
/// <c>cloudpickle.dumps(function(*arguments))</c>. A Python service deployed for the reference runs it unchanged.
/// </summary>
/// <remarks>
/// <para>The worker manager does not run Python: it writes a pickle whose loading calls the client's serializer on the
/// stored objects. With the reference client's default serializer (cloudpickle) the items are
/// <c>cloudpickle.loads(function_object)</c> and <c>cloudpickle.loads(argument_object)</c>, and the service's output
/// is the result object as that serializer writes it. With a serializer of the user's own, the service must hand back
/// what <c>serializer.serialize</c> makes, so the tuple is <c>(list, map(serializer.serialize, itertools.starmap(function,
/// [arguments])))</c>: the service's call of <c>list(...)</c> runs the function and serializes its result, and its output
/// is a pickled one-item list of the result object's bytes.</para>
/// <para>After the pickle comes a <see cref="TrailerLength"/>-byte trailer (<see cref="TrailerMagic"/>, then
/// <see cref="PythonSoamInputFlags"/> as u16 little-endian). <c>pickle.loads</c> ignores bytes after the STOP opcode, so a
/// reference service never sees it; Scaler.NET's own service reads it and, when asked, answers in the
/// <c>SCLRSYMR</c> result envelope, whose failed status carries the pickled exception as a successful SOAM output (no
/// Symphony retry of a deterministic failure, and the client gets the exception itself).</para>
/// </remarks>
public static class PythonSoamTaskInput
{
    /// <summary>The first 14 bytes of the trailer.</summary>
    public static ReadOnlySpan<byte> TrailerMagic => "SCALER.NET/PY1"u8;

    public const int TrailerLength = 16;

    /// <summary>Writes the input of one task from its stored objects.</summary>
    public static byte[] Build(
        ReadOnlySpan<byte> serializerObject,
        bool referenceDefaultSerializer,
        ReadOnlySpan<byte> functionObject,
        IReadOnlyList<ReadOnlyMemory<byte>> argumentObjects,
        PythonSoamInputFlags flags)
    {
        ArgumentNullException.ThrowIfNull(argumentObjects);
        var size = 128 + serializerObject.Length + functionObject.Length + argumentObjects.Sum(a => a.Length + 16);
        var pickle = new Pickles.PickleWriter(size);
        if (referenceDefaultSerializer)
        {
            // (loads(function), loads(argument 0), ...) with loads = cloudpickle.loads, remembered once.
            pickle.Global("cloudpickle", "loads");
            var loads = pickle.Memoize();
            pickle.Pop();
            pickle.Mark();
            Call(pickle, loads, functionObject);
            foreach (var argument in argumentObjects)
            {
                Call(pickle, loads, argument.Span);
            }

            pickle.TupleFromMark();
        }
        else
        {
            // serializer = cloudpickle.loads(serializer_object); deserialize = getattr(serializer, "deserialize")
            pickle.Global("builtins", "getattr");
            var getattr = pickle.Memoize();
            pickle.Global("cloudpickle", "loads").Bytes(serializerObject).Tuple1().Reduce();
            var serializer = pickle.Memoize();
            pickle.Text("deserialize").Tuple2().Reduce();
            var deserialize = pickle.Memoize();
            pickle.Pop();

            // (list, map(getattr(serializer, "serialize"), itertools.starmap(deserialize(function), [(deserialize(a0), ...)])))
            pickle.Global("builtins", "list");
            pickle.Global("builtins", "map");
            pickle.Get(getattr).Get(serializer).Text("serialize").Tuple2().Reduce();
            pickle.Global("itertools", "starmap");
            Call(pickle, deserialize, functionObject);
            pickle.EmptyList().Mark();
            foreach (var argument in argumentObjects)
            {
                Call(pickle, deserialize, argument.Span);
            }

            pickle.TupleFromMark().Append();
            pickle.Tuple2().Reduce();
            pickle.Tuple2().Reduce();
            pickle.Tuple2();
        }

        var body = pickle.ToArrayWithStop();
        var input = new byte[body.Length + TrailerLength];
        body.CopyTo(input, 0);
        TrailerMagic.CopyTo(input.AsSpan(body.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(input.AsSpan(input.Length - 2), (ushort)flags);
        return input;
    }

    /// <summary>The flags of a Scaler.NET trailer, or false when the input has none (a reference worker manager's input).</summary>
    public static bool TryReadTrailer(ReadOnlySpan<byte> input, out PythonSoamInputFlags flags)
    {
        flags = PythonSoamInputFlags.None;
        if (input.Length < TrailerLength || !input[^TrailerLength..^2].SequenceEqual(TrailerMagic))
        {
            return false;
        }

        flags = (PythonSoamInputFlags)BinaryPrimitives.ReadUInt16LittleEndian(input[^2..]);
        return true;
    }

    private static void Call(Pickles.PickleWriter pickle, int callable, ReadOnlySpan<byte> argument) =>
        pickle.Get(callable).Bytes(argument).Tuple1().Reduce();
}

/// <summary>What the sender of a Python SOAM task input asks of a Scaler.NET service (the trailer's flags).</summary>
[Flags]
public enum PythonSoamInputFlags : ushort
{
    None = 0,

    /// <summary>Answer in the <c>SCLRSYMR</c> result envelope: success with the output, or failed with the pickled exception.</summary>
    AnswerInEnvelope = 1,
}
