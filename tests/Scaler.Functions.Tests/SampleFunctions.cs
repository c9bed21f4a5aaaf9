namespace Scaler.Functions.Tests;

public sealed record Point(int X, int Y);

public sealed record Order(string Customer, IReadOnlyList<string> Items, decimal Total);

public sealed class PlainHolder
{
    public int Number { get; set; }

    public string? Label { get; set; }
}

public static class SampleFunctions
{
    public static int Add(int a, int b) => a + b;

    public static string Greet(string name) => "hello " + name;

    public static Point Translate(Point point, int dx, int dy) => new(point.X + dx, point.Y + dy);

    public static T[] Repeat<T>(T value, int count) => Enumerable.Repeat(value, count).ToArray();

    public static (int Sum, string Joined) Summarize(List<int> numbers, string[] words) =>
        (numbers.Sum(), string.Join("-", words));

    public static Dictionary<string, int> CountWords(IReadOnlyList<string> words) =>
        words.GroupBy(w => w, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    public static int ThrowsInvalidOperation(int value) =>
        throw new InvalidOperationException($"the value {value} is not acceptable");

    public static int ThrowsWrapped(int value)
    {
        try
        {
            return ThrowsInvalidOperation(value);
        }
        catch (InvalidOperationException e)
        {
            throw new FormatException("wrapper failed", e);
        }
    }

    public static async Task<int> DoubleLaterAsync(int value)
    {
        await Task.Yield();
        return value * 2;
    }

    public static string Shout(this string value) => value + "!";
}

public sealed class Counter
{
    public int Count { get; set; }

    public int Increment(int by) => Count += by;
}
