namespace Scaler.Hosting.Logging;

/// <summary>One place log lines go (a console stream or a file), written one whole line at a time.</summary>
internal sealed class LogSink : IDisposable
{
    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;
    private readonly Lock _lock = new();

    public LogSink(string name, TextWriter writer, bool ownsWriter, bool verbose)
    {
        Name = name;
        _writer = writer;
        _ownsWriter = ownsWriter;
        Verbose = verbose;
    }

    public string Name { get; }

    /// <summary>Files get the verbose line (with the logger category), as the reference's file handlers do.</summary>
    public bool Verbose { get; }

    public static LogSink OpenFile(string path)
    {
        var fullPath = Path.GetFullPath(ExpandPath(path));
        if (Path.GetDirectoryName(fullPath) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var stream = new FileStream(fullPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        var writer = new StreamWriter(stream) { AutoFlush = true };
        return new LogSink(fullPath, writer, ownsWriter: true, verbose: true);
    }

    public void WriteLine(string line)
    {
        lock (_lock)
        {
            try
            {
                _writer.WriteLine(line);
                _writer.Flush();
            }
            catch (IOException)
            {
                // A full disk or closed pipe must not take the server down with it; the line is lost.
            }
            catch (ObjectDisposedException)
            {
                // Lines logged during shutdown after the sink closed are dropped.
            }
        }
    }

    public void Dispose()
    {
        if (_ownsWriter)
        {
            lock (_lock)
            {
                _writer.Dispose();
            }
        }
    }

    private static string ExpandPath(string path)
    {
        var expanded = Environment.ExpandEnvironmentVariables(path);
        if (expanded == "~" || expanded.StartsWith("~/", StringComparison.Ordinal))
        {
            expanded = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + expanded[1..];
        }

        return expanded;
    }
}
