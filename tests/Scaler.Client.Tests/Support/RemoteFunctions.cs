namespace Scaler.ClientTests.Support;

/// <summary>Functions the tests ship to the fake worker.</summary>
public static class RemoteFunctions
{
    public static int Square(int x) => x * x;

    public static int Inc(int x) => x + 1;

    public static int Add(int x, int y) => x + y;

    public static int Add3(int x, int y, int z) => x + y + z;

    public static string Greet(string name) => $"hello {name}";

    public static async Task<int> DoubleLaterAsync(int x)
    {
        await Task.Yield();
        return 2 * x;
    }

    public static int Explode(int value) =>
        throw new InvalidOperationException($"the value {value} is not acceptable");
}
