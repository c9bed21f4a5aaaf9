using System.Diagnostics.CodeAnalysis;

namespace Scaler.Python.Pickles;

/// <summary>Questions Scaler.NET asks of pickles written by Python, answered from a <see cref="PickleReader"/> tree.</summary>
public static class PythonPickles
{
    /// <summary>The reference client's default serializer class, which its serializer object names.</summary>
    public static readonly PickleGlobal ReferenceDefaultSerializer = new("scaler.client.serializer.default", "DefaultSerializer");

    /// <summary>
    /// Whether a serializer object is the reference client's <c>DefaultSerializer()</c> (cloudpickle both ways), as
    /// opposed to a serializer of the user's own.
    /// </summary>
    public static bool IsReferenceDefaultSerializer(ReadOnlyMemory<byte> serializerObject) =>
        PickleReader.TryRead(serializerObject, out var value, out _)
        && value is PickleNewObject { Class: PickleGlobal type, Arguments: PickleTuple { Items.Count: 0 } }
        && type == ReferenceDefaultSerializer;

    /// <summary>The <c>bytes</c> a pickle holds, alone or as the only item of a list (slices of <paramref name="pickle"/>).</summary>
    public static bool TryReadBytes(ReadOnlyMemory<byte> pickle, out ReadOnlyMemory<byte> bytes, [NotNullWhen(false)] out string? error)
    {
        bytes = default;
        if (!PickleReader.TryRead(pickle, out var value, out error))
        {
            return false;
        }

        switch (value)
        {
            case PickleBytes single:
                bytes = single.Value;
                return true;
            case PickleList { Items: [PickleBytes only] }:
                bytes = only.Value;
                return true;
            default:
                error = $"expected bytes or a list of one bytes object, got {Describe(value)}";
                return false;
        }
    }

    /// <summary>
    /// The type and message of a pickled exception, for logs and for clients that are not Python: <c>Type(message)</c>
    /// as the pickle module writes it, or wrapped by tblib (<c>unpickle_exception(Type, args, cause, traceback)</c>).
    /// </summary>
    public static bool TryDescribeException(ReadOnlyMemory<byte> pickle, [NotNullWhen(true)] out string? typeName, [NotNullWhen(true)] out string? message)
    {
        typeName = message = null;
        if (!PickleReader.TryRead(pickle, out var value, out _) || value is not PickleCall call)
        {
            return false;
        }

        if (call is { Callable: PickleGlobal { Module: "tblib.pickling_support", Name: "unpickle_exception" }, Arguments: PickleTuple { Items.Count: >= 2 } wrapped })
        {
            call = new PickleCall(wrapped.Items[0], wrapped.Items[1]);
        }

        if (call.Callable is not PickleGlobal type || call.Arguments is not PickleTuple arguments)
        {
            return false;
        }

        typeName = type.Module == "builtins" ? type.Name : type.ToString();
        message = arguments.Items switch
        {
            [] => string.Empty,
            [PickleText text] => text.Value,
            _ => string.Join(", ", arguments.Items.Select(Describe)),
        };
        return true;
    }

    private static string Describe(PickleValue value) => value switch
    {
        PickleText text => text.Value,
        PickleInt number => number.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        PickleBytes bytes => $"<{bytes.Value.Length} bytes>",
        PickleGlobal global => global.ToString(),
        PickleNone => "None",
        _ => value.GetType().Name.Replace("Pickle", string.Empty, StringComparison.Ordinal).ToLowerInvariant(),
    };
}
