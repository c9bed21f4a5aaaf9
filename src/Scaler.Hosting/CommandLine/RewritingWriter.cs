using System.Text;

namespace Scaler.Hosting.CommandLine;

/// <summary>
/// Holds what is written until a line ends, then writes the line rewritten by <see cref="WrapperCommandName"/>: help is
/// written in pieces, and a name split across two writes would otherwise be missed. <see cref="Flush"/> writes a
/// partial line as it is. Safe to write from several threads (the launcher writes its children's lines to it): a line
/// is held and passed on under one lock.
/// </summary>
internal sealed class RewritingWriter(TextWriter inner, WrapperCommandName name) : TextWriter
{
    private readonly StringBuilder _line = new();
    private readonly Lock _lock = new();

    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override void Write(char value) => Write(new ReadOnlySpan<char>(in value));

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(char[] buffer, int index, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Write(buffer.AsSpan(index, count));
    }

    public override Task WriteAsync(char value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(char[] buffer, int index, int count)
    {
        Write(buffer, index, count);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return Task.CompletedTask;
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (_lock)
        {
            foreach (var c in buffer)
            {
                _line.Append(c);
                if (c == '\n')
                {
                    WriteHeld();
                }
            }
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_lock)
        {
            Write(value);
            Write(CoreNewLine);
        }
    }

    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            Write(buffer.Span);
            WriteLine();
        }

        return Task.CompletedTask;
    }

    public override Task WriteLineAsync()
    {
        WriteLine();
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override void Flush()
    {
        lock (_lock)
        {
            WriteHeld();
        }

        inner.Flush();
    }

    public override Task FlushAsync()
    {
        Flush();
        return Task.CompletedTask;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                WriteHeld();
            }
        }

        base.Dispose(disposing);
    }

    private void WriteHeld()
    {
        if (_line.Length == 0)
        {
            return;
        }

        inner.Write(name.Rewrite(_line.ToString()));
        _line.Clear();
    }
}
