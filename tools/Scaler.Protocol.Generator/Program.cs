namespace Scaler.Protocol.Generator;

internal static class Program
{
    public static int Main() => 0;
}
