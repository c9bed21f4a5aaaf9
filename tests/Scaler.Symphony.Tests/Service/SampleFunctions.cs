namespace Scaler.Symphony.Tests.Service;

public static class SampleFunctions
{
    public static int Add(int a, int b) => a + b;

    public static string Greet(string name) => $"hello {name}";

    public static int Reject(int value) => throw new InvalidOperationException($"the value {value} is not acceptable");
}
