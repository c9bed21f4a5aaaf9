using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Scaler.Python.Pickles;

/// <summary>
/// Reads a pickle into a <see cref="PickleValue"/> tree without running anything: globals stay names and calls stay
/// calls. It knows the opcodes that cloudpickle and the pickle module write for plain data, globals, calls and
/// exceptions (protocols 2 to 5, framed or not); anything else makes it give up with a reason rather than guess.
/// Work is bounded by the input: every opcode consumes at least one byte, and every length is checked against the
/// bytes left before anything is allocated.
/// </summary>
public static class PickleReader
{
    /// <summary>Reads <paramref name="pickle"/> up to its STOP opcode (later bytes are ignored, as Python does).</summary>
    public static bool TryRead(ReadOnlyMemory<byte> pickle, [NotNullWhen(true)] out PickleValue? value, [NotNullWhen(false)] out string? error)
    {
        var machine = new Machine(pickle);
        return machine.Run(out value, out error);
    }

    /// <summary>Whether the bytes open like a pickle of protocol 2 or later (<c>PROTO n</c>).</summary>
    public static bool LooksLikePickle(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 2 && bytes[0] == PickleOpcodes.Proto && bytes[1] is >= 2 and <= 5;

    private sealed class Machine(ReadOnlyMemory<byte> input)
    {
        private static readonly object MarkObject = new();

        private readonly List<object> _stack = [];
        private readonly Dictionary<long, PickleValue> _memo = [];
        private int _at;

        public bool Run([NotNullWhen(true)] out PickleValue? value, [NotNullWhen(false)] out string? error)
        {
            value = null;
            try
            {
                while (true)
                {
                    var opcode = ReadByte();
                    if (opcode == PickleOpcodes.Stop)
                    {
                        value = Pop();
                        error = null;
                        return true;
                    }

                    Step(opcode);
                }
            }
            catch (InvalidDataException e)
            {
                error = e.Message;
                return false;
            }
        }

        private void Step(byte opcode)
        {
            switch (opcode)
            {
                case PickleOpcodes.Proto:
                    if (ReadByte() > 5)
                    {
                        throw Bad("pickle protocol above 5");
                    }

                    break;
                case PickleOpcodes.Frame:
                    _ = Take(8);
                    break;
                case PickleOpcodes.Mark:
                    _stack.Add(MarkObject);
                    break;
                case PickleOpcodes.Pop:
                    _ = Pop();
                    break;
                case PickleOpcodes.None:
                    Push(PickleNone.Instance);
                    break;
                case PickleOpcodes.NewTrue:
                    Push(new PickleBool(true));
                    break;
                case PickleOpcodes.NewFalse:
                    Push(new PickleBool(false));
                    break;
                case PickleOpcodes.BinInt:
                    Push(new PickleInt(BinaryPrimitives.ReadInt32LittleEndian(Take(4).Span)));
                    break;
                case PickleOpcodes.BinInt1:
                    Push(new PickleInt(ReadByte()));
                    break;
                case PickleOpcodes.BinInt2:
                    Push(new PickleInt(BinaryPrimitives.ReadUInt16LittleEndian(Take(2).Span)));
                    break;
                case PickleOpcodes.ShortBinUnicode:
                    Push(Text(ReadByte()));
                    break;
                case PickleOpcodes.BinUnicode:
                    Push(Text(BinaryPrimitives.ReadUInt32LittleEndian(Take(4).Span)));
                    break;
                case PickleOpcodes.BinUnicode8:
                    Push(Text(BinaryPrimitives.ReadUInt64LittleEndian(Take(8).Span)));
                    break;
                case PickleOpcodes.ShortBinBytes:
                    Push(new PickleBytes(Take(ReadByte())));
                    break;
                case PickleOpcodes.BinBytes:
                    Push(new PickleBytes(Take(BinaryPrimitives.ReadUInt32LittleEndian(Take(4).Span))));
                    break;
                case PickleOpcodes.BinBytes8:
                case PickleOpcodes.ByteArray8:
                    Push(new PickleBytes(Take(BinaryPrimitives.ReadUInt64LittleEndian(Take(8).Span))));
                    break;
                case PickleOpcodes.Global:
                    var module = ReadLine();
                    Push(new PickleGlobal(module, ReadLine()));
                    break;
                case PickleOpcodes.StackGlobal:
                    var name = PopText();
                    Push(new PickleGlobal(PopText(), name));
                    break;
                case PickleOpcodes.Memoize:
                    _memo[_memo.Count] = Peek();
                    break;
                case PickleOpcodes.BinPut:
                    _memo[ReadByte()] = Peek();
                    break;
                case PickleOpcodes.LongBinPut:
                    _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4).Span)] = Peek();
                    break;
                case PickleOpcodes.BinGet:
                    Push(Recall(ReadByte()));
                    break;
                case PickleOpcodes.LongBinGet:
                    Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(Take(4).Span)));
                    break;
                case PickleOpcodes.EmptyTuple:
                    Push(new PickleTuple([]));
                    break;
                case PickleOpcodes.Tuple:
                    Push(new PickleTuple(PopToMark()));
                    break;
                case PickleOpcodes.Tuple1:
                case PickleOpcodes.Tuple2:
                case PickleOpcodes.Tuple3:
                    var count = opcode - PickleOpcodes.Tuple1 + 1;
                    var items = new PickleValue[count];
                    for (var i = count - 1; i >= 0; i--)
                    {
                        items[i] = Pop();
                    }

                    Push(new PickleTuple(items));
                    break;
                case PickleOpcodes.EmptyList:
                    Push(new PickleList([]));
                    break;
                case PickleOpcodes.Append:
                    var appended = Pop();
                    ListOnTop().Items.Add(appended);
                    break;
                case PickleOpcodes.Appends:
                    var many = PopToMark();
                    ListOnTop().Items.AddRange(many);
                    break;
                case (byte)'}':
                    Push(new PickleDict([]));
                    break;
                case (byte)'s':
                    var itemValue = Pop();
                    var itemKey = Pop();
                    DictOnTop().Items.Add(new(itemKey, itemValue));
                    break;
                case (byte)'u':
                    var pairs = PopToMark();
                    if (pairs.Count % 2 != 0)
                    {
                        throw Bad("SETITEMS with an odd number of items");
                    }

                    for (var i = 0; i < pairs.Count; i += 2)
                    {
                        DictOnTop().Items.Add(new(pairs[i], pairs[i + 1]));
                    }

                    break;
                case (byte)'b':
                    var state = Pop();
                    if (Peek() is PickleNewObject built)
                    {
                        built.State = state;
                    }

                    break;
                case PickleOpcodes.Reduce:
                    var arguments = Pop();
                    Push(new PickleCall(Pop(), arguments));
                    break;
                case PickleOpcodes.NewObj:
                    var newArguments = Pop();
                    Push(new PickleNewObject(Pop(), newArguments));
                    break;
                default:
                    throw Bad($"opcode 0x{opcode:x2} at offset {_at - 1} is not one this reader knows");
            }
        }

        private byte ReadByte()
        {
            if (_at >= input.Length)
            {
                throw Bad("the pickle ends before its STOP opcode");
            }

            return input.Span[_at++];
        }

        private ReadOnlyMemory<byte> Take(ulong count)
        {
            if (count > (ulong)(input.Length - _at))
            {
                throw Bad($"a length of {count} bytes at offset {_at} runs past the end of the pickle");
            }

            var slice = input.Slice(_at, (int)count);
            _at += (int)count;
            return slice;
        }

        private PickleText Text(ulong length) => new(Encoding.UTF8.GetString(Take(length).Span));

        private string ReadLine()
        {
            var rest = input.Span[_at..];
            var end = rest.IndexOf((byte)'\n');
            if (end < 0)
            {
                throw Bad("a GLOBAL name is not terminated by a newline");
            }

            _at += end + 1;
            return Encoding.UTF8.GetString(rest[..end]);
        }

        private void Push(PickleValue value) => _stack.Add(value);

        private PickleValue Pop()
        {
            if (_stack.Count == 0 || _stack[^1] == MarkObject)
            {
                throw Bad($"stack underflow at offset {_at - 1}");
            }

            var top = (PickleValue)_stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            return top;
        }

        private PickleValue Peek() =>
            _stack.Count == 0 || _stack[^1] == MarkObject ? throw Bad($"stack underflow at offset {_at - 1}") : (PickleValue)_stack[^1];

        private string PopText() => Pop() is PickleText text ? text.Value : throw Bad("STACK_GLOBAL needs two strings");

        private List<PickleValue> PopToMark()
        {
            var mark = _stack.LastIndexOf(MarkObject);
            if (mark < 0)
            {
                throw Bad($"no MARK before offset {_at - 1}");
            }

            var items = _stack.GetRange(mark + 1, _stack.Count - mark - 1).Cast<PickleValue>().ToList();
            _stack.RemoveRange(mark, _stack.Count - mark);
            return items;
        }

        private PickleList ListOnTop() => Peek() as PickleList ?? throw Bad("APPEND to something that is not a list");

        private PickleDict DictOnTop() => Peek() as PickleDict ?? throw Bad("SETITEM to something that is not a dict");

        private PickleValue Recall(long index) =>
            _memo.TryGetValue(index, out var value) ? value : throw Bad($"memo index {index} was never stored");

        private static InvalidDataException Bad(string message) => new(message);
    }
}
