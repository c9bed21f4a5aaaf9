namespace Scaler.Benchmarks;

internal static class Program
{
    /// <summary>Runs the benchmark named by the first argument (e.g. <c>transport</c>), or every benchmark when none is named.</summary>
    public static async Task<int> Main(string[] args)
    {
        var which = args.Length > 0 ? args[0] : "all";
        if (which is "transport" or "all")
        {
            await TransportBenchmark.RunAsync();
        }
        else
        {
            Console.Error.WriteLine($"unknown benchmark '{which}': expected transport");
            return 2;
        }

        return 0;
    }
}
