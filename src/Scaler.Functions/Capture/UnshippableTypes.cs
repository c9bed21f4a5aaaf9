using System.Reflection;
using System.Runtime.InteropServices;

namespace Scaler.Functions;

/// <summary>
/// Types whose values are bound to this process (handles, streams, threads, delegates, reflection objects). A
/// general-purpose serializer might still write something for them (their public properties), which would arrive as
/// a useless or broken object, so they are refused by name before the serializer is tried.
/// </summary>
internal static class UnshippableTypes
{
    private static readonly (Type Type, string Reason)[] Refused =
    [
        (typeof(Delegate), "delegates cannot be serialized"),
        (typeof(Stream), "a stream is bound to this process"),
        (typeof(SafeHandle), "an operating system handle is bound to this process"),
        (typeof(WaitHandle), "an operating system handle is bound to this process"),
        (typeof(Thread), "a thread is bound to this process"),
        (typeof(Task), "a task is bound to this process"),
        (typeof(CancellationToken), "a cancellation token is bound to this process"),
        (typeof(CancellationTokenSource), "a cancellation token source is bound to this process"),
        (typeof(MemberInfo), "reflection objects cannot be serialized"),
        (typeof(Assembly), "reflection objects cannot be serialized"),
        (typeof(IntPtr), "a native pointer is bound to this process"),
        (typeof(UIntPtr), "a native pointer is bound to this process"),
    ];

    private static readonly string[] RefusedNamespaces = ["System.Net.Sockets", "System.Data.Common", "System.Net.Http"];

    public static string? Reason(Type type)
    {
        if (type.IsPointer || type.IsByRefLike || type.IsFunctionPointer)
        {
            return "its type cannot be stored outside the stack of this process";
        }

        foreach (var (refused, reason) in Refused)
        {
            if (refused.IsAssignableFrom(type))
            {
                return reason;
            }
        }

        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.Namespace is { } ns && RefusedNamespaces.Contains(ns, StringComparer.Ordinal))
            {
                return "a connection or client object is bound to this process";
            }
        }

        return null;
    }
}
