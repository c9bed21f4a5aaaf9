namespace Scaler.Python.Pickles;

/// <summary>What <see cref="PickleReader"/> makes of a pickle: a tree of these, never a live object.</summary>
public abstract record PickleValue;

/// <summary>A global reference, <c>module.name</c> (a class or function Python would import).</summary>
public sealed record PickleGlobal(string Module, string Name) : PickleValue
{
    public override string ToString() => $"{Module}.{Name}";
}

public sealed record PickleText(string Value) : PickleValue;

/// <summary>A <c>bytes</c> (or <c>bytearray</c>) value; its memory is a slice of the pickle that was read.</summary>
public sealed record PickleBytes(ReadOnlyMemory<byte> Value) : PickleValue;

public sealed record PickleInt(long Value) : PickleValue;

public sealed record PickleBool(bool Value) : PickleValue;

public sealed record PickleNone : PickleValue
{
    public static PickleNone Instance { get; } = new();
}

public sealed record PickleTuple(IReadOnlyList<PickleValue> Items) : PickleValue;

public sealed record PickleList(List<PickleValue> Items) : PickleValue;

public sealed record PickleDict(List<KeyValuePair<PickleValue, PickleValue>> Items) : PickleValue;

/// <summary><c>callable(*arguments)</c> (REDUCE): <see cref="Arguments"/> is normally a <see cref="PickleTuple"/>.</summary>
public sealed record PickleCall(PickleValue Callable, PickleValue Arguments) : PickleValue;

/// <summary><c>cls.__new__(cls, *arguments)</c> (NEWOBJ), with the state a later BUILD gave it, if any.</summary>
public sealed record PickleNewObject(PickleValue Class, PickleValue Arguments) : PickleValue
{
    public PickleValue? State { get; set; }
}
