using System.Diagnostics.CodeAnalysis;

namespace Scaler.Protocol.Capnp;

/// <summary>
/// The entry point of reading: validates the segment table of one unpacked message and holds the traversal budget
/// shared by every view derived from it. Keep it in a local; views borrow its budget and cannot outlive it.
/// </summary>
public ref struct MessageRoot
{
    private readonly ReadOnlySpan<byte> _frame;
    private readonly SegmentRef _segment0;
    private readonly int _nestingLimit;
    private long _budget;

    private MessageRoot(ReadOnlySpan<byte> frame, SegmentRef segment0, long budget, int nestingLimit)
    {
        _frame = frame;
        _segment0 = segment0;
        _budget = budget;
        _nestingLimit = nestingLimit;
    }

    /// <summary>Checks the segment table; throws <see cref="ProtocolException"/> when it does not fit the input.</summary>
    public static MessageRoot Open(ReadOnlySpan<byte> frame, ReaderOptions? options = null)
    {
        options ??= ReaderOptions.Default;
        SegmentTable.Validate(frame, options);
        var (start, words) = SegmentTable.Locate(frame, 0);
        return new MessageRoot(frame, new SegmentRef(0, start, words), options.TraversalLimitInWords, options.NestingLimit);
    }

    /// <summary>Words of traversal budget left.</summary>
    public readonly long RemainingBudget => _budget;

    /// <summary>The root struct (segment 0, word 0); an empty struct when the root pointer is null.</summary>
    [UnscopedRef]
    public StructReader GetRoot()
    {
        if (!PointerResolver.TryResolve(_frame, _segment0, 0, out var target))
        {
            return new StructReader(_frame, ref _budget, _segment0, 0, 0, 0, 0, _nestingLimit);
        }

        return ObjectDecoder.Struct(_frame, ref _budget, target, _nestingLimit);
    }

    /// <summary>The root struct through a generated typed view.</summary>
    [UnscopedRef]
    public T GetRoot<T>()
        where T : IStructView<T>, allows ref struct => T.Create(GetRoot());
}
