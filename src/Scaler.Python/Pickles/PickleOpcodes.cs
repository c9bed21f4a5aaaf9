namespace Scaler.Python.Pickles;

/// <summary>The pickle opcodes Scaler.NET writes or reads (Python's <c>Lib/pickletools.py</c> documents them all).</summary>
internal static class PickleOpcodes
{
    public const byte Proto = 0x80;
    public const byte Frame = 0x95;
    public const byte Stop = (byte)'.';
    public const byte Mark = (byte)'(';
    public const byte Pop = (byte)'0';
    public const byte None = (byte)'N';
    public const byte NewTrue = 0x88;
    public const byte NewFalse = 0x89;
    public const byte BinInt = (byte)'J';
    public const byte BinInt1 = (byte)'K';
    public const byte BinInt2 = (byte)'M';
    public const byte ShortBinUnicode = 0x8c;
    public const byte BinUnicode = (byte)'X';
    public const byte BinUnicode8 = 0x8d;
    public const byte ShortBinBytes = (byte)'C';
    public const byte BinBytes = (byte)'B';
    public const byte BinBytes8 = 0x8e;
    public const byte ByteArray8 = 0x96;
    public const byte Global = (byte)'c';
    public const byte StackGlobal = 0x93;
    public const byte Memoize = 0x94;
    public const byte BinPut = (byte)'q';
    public const byte LongBinPut = (byte)'r';
    public const byte BinGet = (byte)'h';
    public const byte LongBinGet = (byte)'j';
    public const byte EmptyTuple = (byte)')';
    public const byte Tuple = (byte)'t';
    public const byte Tuple1 = 0x85;
    public const byte Tuple2 = 0x86;
    public const byte Tuple3 = 0x87;
    public const byte EmptyList = (byte)']';
    public const byte Append = (byte)'a';
    public const byte Appends = (byte)'e';
    public const byte Reduce = (byte)'R';
    public const byte NewObj = 0x81;
}
