namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>Functions the Symphony tests ship to the service instances.</summary>
public static class SymphonyFunctions
{
    public static int Square(int x) => x * x;

    public static int Identity(int x) => x;

    public static int FortyTwo() => 42;

    public static int Fail(int x) => throw new InvalidOperationException($"the value {x} is not acceptable");

    public static int SlowLength(byte[] data)
    {
        Thread.Sleep(1000);
        return data.Length;
    }

    public static int SlowNegate(int x)
    {
        Thread.Sleep(1500);
        return -x;
    }
}
