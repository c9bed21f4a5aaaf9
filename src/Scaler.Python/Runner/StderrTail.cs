namespace Scaler.Python.Runner;

/// <summary>The last lines a runner wrote to stderr, for the message of a task whose runner died. Thread-safe.</summary>
internal sealed class StderrTail(int capacity)
{
    private readonly Queue<string> _lines = new();
    private readonly Lock _gate = new();

    public void Add(string line)
    {
        lock (_gate)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line.Length > 500 ? line[..500] + "…" : line);
        }
    }

    public string Text()
    {
        lock (_gate)
        {
            return string.Join(Environment.NewLine, _lines);
        }
    }
}
