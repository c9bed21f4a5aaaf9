using System.Buffers;
using System.Diagnostics;
using Scaler.Protocol.Messages;

namespace Scaler.Benchmarks;

/// <summary>
/// Encode + decode of a typical Task message (16-byte task id, 39-byte source, 32-byte function object id, two
/// arguments with 32-byte object ids): messages per second and bytes allocated per message, for the class API and
/// for the zero-allocation reader path. Figures only; no assertions.
/// </summary>
internal static class CodecBenchmark
{
    private const int Iterations = 2_000_000;

    public static void Run()
    {
        var task = TypicalTask();
        var frame = MessageCodec.Encode(task);
        Console.WriteLine($"codec: typical Task frame is {frame.Length} bytes; {Iterations:N0} iterations per figure");

        Measure("class API     encode+decode", () =>
        {
            var bytes = MessageCodec.Encode(task);
            return ((TaskMessage)MessageCodec.Decode(bytes)).TaskId.Length;
        });

        var output = new ArrayBufferWriter<byte>(1024);
        Measure("reader path   encode+decode", () =>
        {
            output.ResetWrittenCount();
            MessageCodec.Encode(task, output);
            return ReadAll(output.WrittenSpan);
        });

        Measure("class API     decode only  ", () => ((TaskMessage)MessageCodec.Decode(frame)).FunctionArgs.Count);
        Measure("reader path   decode only  ", () => ReadAll(frame));
        Measure("encode only (IBufferWriter)", () =>
        {
            output.ResetWrittenCount();
            MessageCodec.Encode(task, output);
            return output.WrittenCount;
        });
    }

    private static TaskMessage TypicalTask()
    {
        static byte[] Filled(int length, byte seed) => Enumerable.Range(0, length).Select(i => (byte)(seed + i)).ToArray();
        return new TaskMessage
        {
            TaskId = Filled(16, 1),
            Source = "Client|e5bec3d036fd47c79a19be9029a8aa79"u8.ToArray(),
            Metadata = new byte[6],
            FuncObjectId = Filled(32, 2),
            FunctionArgs =
            [
                new TaskMessage.Argument { Type = ArgumentType.ObjectID, Data = Filled(32, 3) },
                new TaskMessage.Argument { Type = ArgumentType.ObjectID, Data = Filled(32, 4) },
            ],
        };
    }

    /// <summary>Touches every field through the views, as a worker reading a task would.</summary>
    private static int ReadAll(ReadOnlySpan<byte> frame)
    {
        var reader = MessageReader.Open(frame);
        if (reader.Kind != MessageKind.Task)
        {
            return -1;
        }

        var task = reader.Task;
        var sum = task.TaskId.Length + task.Source.Length + task.Metadata.Length + task.FuncObjectId.Length;
        foreach (var argument in task.FunctionArgs)
        {
            sum += argument.Data.Length + (int)argument.Type;
        }

        return sum + task.Capabilities.Count;
    }

    private static void Measure(string name, Func<int> body)
    {
        var sink = 0;
        for (var i = 0; i < Iterations / 10; i++)
        {
            sink += body();
        }

        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < Iterations; i++)
        {
            sink += body();
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        process.Refresh();
        // CPU time of the process as well as wall time: on a shared machine the wall clock includes time spent
        // descheduled, CPU time does not (it does include the GC's work).
        var cpu = process.TotalProcessorTime - cpuBefore;
        Console.WriteLine(
            $"  {name}: {Iterations / elapsed.TotalSeconds / 1e6,6:F2} M msg/s wall, {Iterations / cpu.TotalSeconds / 1e6,6:F2} M msg/s CPU, " +
            $"{cpu.TotalNanoseconds / Iterations,5:F0} ns CPU/msg, {(double)allocated / Iterations,6:F1} B allocated/msg (checksum {sink})");
    }
}
