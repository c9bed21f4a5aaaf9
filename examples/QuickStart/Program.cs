using Scaler;

namespace QuickStart;

/// <summary>
/// Connects to a Scaler scheduler, squares 0..49 on its workers and prints the results on one line:
/// <c>dotnet run --project examples/QuickStart -- tcp://127.0.0.1:8516</c>.
/// </summary>
internal static class Program
{
    /// <summary>The function the workers run: a static method, so it ships as a reference to this assembly.</summary>
    public static int Compute(int x) => x * x;

    private static int Main(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: QuickStart tcp://HOST:PORT   (the scheduler's address)");
            return 2;
        }

        try
        {
            using var client = new Client(args[0]);
            IReadOnlyList<int> results = client.Map(Compute, Enumerable.Range(0, 50));
            Console.WriteLine($"[{string.Join(", ", results)}]");
            return 0;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        catch (ScalerClientException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        catch (TaskFailedException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}
