namespace Scaler.Benchmarks;

internal static class Program
{
    public static int Main()
    {
        Console.WriteLine("no benchmarks yet");
        return 0;
    }
}
