using System.Buffers.Binary;

namespace Scaler.Benchmarks.Chaos;

/// <summary>
/// The task the chaos soak runs: returns <c>2 × id + 1</c> and records that it ran by appending its id (8 bytes) to a
/// file of its process in the directory named by <see cref="DirectoryVariable"/>, so the soak can count tasks that
/// ran more than once. Appends of 8 bytes with O_APPEND land whole, whichever process writes.
/// </summary>
public static class ChaosTask
{
    public const string DirectoryVariable = "SCALER_CHAOS_RUNS";

    private static readonly Lock Gate = new();
    private static FileStream? _log;

    public static long Run(long id)
    {
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } directory)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, id);
            lock (Gate)
            {
                _log ??= new FileStream(
                    Path.Combine(directory, $"runs-{Environment.ProcessId}.bin"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1);
                _log.Write(bytes);
                _log.Flush();
            }
        }

        return (2 * id) + 1;
    }

    /// <summary>How many times each id ran, from every run file in <paramref name="directory"/>.</summary>
    public static Dictionary<long, int> CountRuns(string directory)
    {
        var runs = new Dictionary<long, int>();
        foreach (var file in Directory.EnumerateFiles(directory, "runs-*.bin"))
        {
            var bytes = File.ReadAllBytes(file);
            for (var at = 0; at + 8 <= bytes.Length; at += 8)
            {
                var id = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at));
                runs[id] = runs.GetValueOrDefault(id) + 1;
            }
        }

        return runs;
    }
}
