using System.Collections;
using System.Reflection;

namespace Scaler.Protocol.Tests.Support;

/// <summary>Structural comparison of generated message objects (properties, lists, byte arrays), with the path of the first difference.</summary>
internal static class DeepEquality
{
    public static void AssertEqual(object expected, object actual) =>
        Assert.True(Difference(expected, actual, "$") is not { } path, $"objects differ at {Difference(expected, actual, "$")}");

    public static string? Difference(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : path;
        }

        if (expected.GetType() != actual.GetType())
        {
            return path + " (type)";
        }

        switch (expected)
        {
            case byte[] bytes:
                return bytes.AsSpan().SequenceEqual((byte[])actual) ? null : path;
            case string or Enum or ValueType:
                return expected.Equals(actual) ? null : $"{path} ({expected} != {actual})";
            case IList list:
                var other = (IList)actual;
                if (list.Count != other.Count)
                {
                    return $"{path}.Count ({list.Count} != {other.Count})";
                }

                for (var i = 0; i < list.Count; i++)
                {
                    if (Difference(list[i], other[i], $"{path}[{i}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
        }

        foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (Difference(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}") is { } inner)
            {
                return inner;
            }
        }

        return null;
    }
}
