using System.IO.Pipes;
using Microsoft.Win32.SafeHandles;

namespace Scaler.Cli.Commands;

/// <summary>
/// stdin and stdout as streams for a frame channel to a parent process. The console streams read and write
/// synchronously (an async read parks a thread-pool thread for as long as the parent is quiet); when the standard
/// handles are pipes, as they are when a worker or the local SOAM engine starts this process, they are opened as pipe
/// streams instead, whose reads and writes are truly asynchronous (epoll on Linux).
/// </summary>
internal static class StandardPipes
{
    public static (Stream Input, Stream Output) Open()
    {
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                var input = new AnonymousPipeClientStream(PipeDirection.In, new SafePipeHandle(0, ownsHandle: false));
                var output = new AnonymousPipeClientStream(PipeDirection.Out, new SafePipeHandle(1, ownsHandle: false));
                return (input, output);
            }
            catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
            {
                // Not pipes (a terminal or a file): the console streams work everywhere.
            }
        }

        return (Console.OpenStandardInput(), Console.OpenStandardOutput());
    }
}
