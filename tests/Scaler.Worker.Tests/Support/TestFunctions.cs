namespace Scaler.Worker.Tests.Support;

/// <summary>Functions the tests ship to processors.</summary>
public static class TestFunctions
{
    public static int Square(int x) => x * x;

    public static int Fail(int x) => throw new InvalidOperationException($"the value {x} is not acceptable");

    public static int Exit(int code)
    {
        Environment.Exit(code);
        return code;
    }

    public static int Sleep(int milliseconds)
    {
        Thread.Sleep(milliseconds);
        return milliseconds;
    }

    public static string Print(string text)
    {
        // Console output of user code must not corrupt the processor's channel to its worker.
        Console.WriteLine(text);
        Console.Out.Flush();
        return text + "!";
    }
}
