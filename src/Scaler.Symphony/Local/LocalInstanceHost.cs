using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Local;

/// <summary>
/// The service-instance side of the local engine: runs one <see cref="ServiceContainer"/> over the frame channel
/// (<see cref="InstanceFrame"/>) on the process's stdin/stdout, one task at a time, in SOAM's life cycle order. The
/// hidden <c>scaler-cli soam-local-instance</c> command calls this; it must point Console.Out elsewhere first so
/// user code writing to the console cannot corrupt the channel.
/// </summary>
public static class LocalInstanceHost
{
    /// <summary>Environment variable the engine sets to the application name.</summary>
    public const string ApplicationVariable = "SCALER_SOAM_LOCAL_APPLICATION";

    /// <summary>Environment variable the engine sets to the service name.</summary>
    public const string ServiceVariable = "SCALER_SOAM_LOCAL_SERVICE";

    /// <summary>
    /// Runs until the engine sends shutdown or closes the channel; returns the process exit code. The frames are read
    /// and written with blocking calls on a thread of its own (one frame in and one out per task, so the thread pool
    /// and epoll would only add wake-ups). A cancellation returns at once without waiting for that thread: it cannot
    /// be interrupted inside a read, and the process is ending (the engine also ends an instance by closing the
    /// channel, which ends the loop and runs OnDestroyService).
    /// </summary>
    public static Task<int> RunAsync(ServiceContainer service, Stream fromEngine, Stream toEngine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(fromEngine);
        ArgumentNullException.ThrowIfNull(toEngine);
        var loop = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                loop.TrySetResult(Serve(service, fromEngine, toEngine));
            }
#pragma warning disable CA1031 // handed to the awaiting caller, which reports it as the command's failure
            catch (Exception e)
#pragma warning restore CA1031
            {
                loop.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "soam-local instance channel",
        };
        thread.Start();
        return loop.Task.WaitAsync(cancellationToken);
    }

    private static int Serve(ServiceContainer service, Stream fromEngine, Stream toEngine)
    {
        var context = new ServiceContext(
            Environment.GetEnvironmentVariable(ApplicationVariable) ?? string.Empty,
            Environment.GetEnvironmentVariable(ServiceVariable) ?? string.Empty);
        service.OnCreateService(context);
        Send(toEngine, InstanceFrame.Build(InstanceFrameKind.Ready, Environment.ProcessId));
        string? currentSession = null;

        // Buffered: a frame is a header and a body, read in one syscall instead of two (and several frames in one).
        var engineChannel = new BufferedStream(fromEngine, InstanceFrame.ReadBufferBytes);
        try
        {
            while (InstanceFrame.Read(engineChannel) is { } frame)
            {
                if (frame.Kind == InstanceFrameKind.Shutdown)
                {
                    break;
                }

                if (frame.Kind != InstanceFrameKind.Invoke)
                {
                    throw new InvalidDataException($"unexpected {frame.Kind} frame from the engine");
                }

                var sessionId = frame.ReadString();
                var taskId = frame.ReadString();
                var input = frame.ReadBytes();
                Send(toEngine, Invoke(service, ref currentSession, sessionId, taskId, input));
            }
        }
        finally
        {
            if (currentSession is not null)
            {
                service.OnSessionLeave();
            }

            service.OnDestroyService();
        }

        return 0;
    }

    private static byte[] Invoke(ServiceContainer service, ref string? currentSession, string sessionId, string taskId, ReadOnlyMemory<byte> input)
    {
        try
        {
            if (!string.Equals(currentSession, sessionId, StringComparison.Ordinal))
            {
                if (currentSession is not null)
                {
                    currentSession = null;
                    service.OnSessionLeave();
                }

                service.OnSessionEnter(new SessionContext(sessionId));
                currentSession = sessionId;
            }

            var task = new TaskContext(sessionId, taskId, input);
            service.OnInvoke(task);
            return InstanceFrame.Build(InstanceFrameKind.Completed, taskId, (byte)InstanceTaskStatus.Output, task.Output);
        }
        catch (FatalException e)
        {
            return Error(taskId, InstanceTaskStatus.Fatal, e);
        }
#pragma warning disable CA1031 // Any other exception from service code is a failure (retried), as SOAM treats it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Error(taskId, InstanceTaskStatus.Failure, e);
        }
    }

    private static byte[] Error(string taskId, InstanceTaskStatus status, Exception e) =>
        InstanceFrame.Build(InstanceFrameKind.Completed, taskId, (byte)status, e.GetType().FullName ?? e.GetType().Name, e.Message);

    private static void Send(Stream toEngine, byte[] frame)
    {
        toEngine.Write(frame);
        toEngine.Flush();
    }
}
