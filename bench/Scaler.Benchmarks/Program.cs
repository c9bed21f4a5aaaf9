namespace Scaler.Benchmarks;

internal static class Program
{
    public static int Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "codec":
                CodecBenchmark.Run();
                return 0;
            default:
                Console.WriteLine("usage: Scaler.Benchmarks codec");
                return 2;
        }
    }
}
