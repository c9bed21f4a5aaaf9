using Microsoft.Extensions.Logging;

namespace Scaler.ObjectStorage.Tests.Support;

/// <summary>A logger factory whose loggers all write to one <see cref="ListLogger"/>, for servers started by a test.</summary>
internal sealed class ListLoggerFactory : ILoggerFactory
{
    public ListLogger Logger { get; } = new();

    public ILogger CreateLogger(string categoryName) => Logger;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}
