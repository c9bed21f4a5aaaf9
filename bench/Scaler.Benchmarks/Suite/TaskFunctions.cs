namespace Scaler.Benchmarks.Suite;

/// <summary>The functions the workloads ship to workers: static, so the client captures each once.</summary>
internal static class TaskFunctions
{
    public static int Identity(int x) => x * 1;

    public static int Sleep(int milliseconds)
    {
        Thread.Sleep(milliseconds);
        return milliseconds;
    }
}
