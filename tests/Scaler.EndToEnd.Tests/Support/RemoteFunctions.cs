namespace Scaler.EndToEnd.Tests.Support;

/// <summary>Functions the tests run on the workers: static methods, so they ship as references to this assembly.</summary>
public static class RemoteFunctions
{
    public static int Square(int x) => x * x;

    public static int Add(int x, int y) => x + y;

    public static int ProcessId(int unused) => Environment.ProcessId + (unused * 0);

    public static int Throw(string message) => throw new InvalidOperationException(message);

    /// <summary>
    /// The first run of <paramref name="marker"/> writes its process ID there and sleeps for
    /// <paramref name="sleepMilliseconds"/>; any later run returns at once. Returns the ID of the process it ran in.
    /// </summary>
    public static int MarkAndSleep(string marker, int sleepMilliseconds)
    {
        bool first;
        try
        {
            using var file = new FileStream(marker, FileMode.CreateNew, FileAccess.Write);
            var bytes = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            file.Write(bytes);
            first = true;
        }
        catch (IOException)
        {
            first = false;
        }

        if (first)
        {
            Thread.Sleep(sleepMilliseconds);
        }

        return Environment.ProcessId;
    }
}
