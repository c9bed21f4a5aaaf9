using System.Text;
using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Tests.Support;

/// <summary>
/// A service for the local engine's tests, run inside instance processes. The input is a command:
/// echo:TEXT, print:TEXT (writes to Console.Out first), wait:FILE:TEXT (until FILE exists), crash, crash-once:MARKER:TEXT, failure, failure-once:MARKER:TEXT, fatal, hold,
/// hold-once:MARKER:TEXT, gate:DIR:N (waits until N tasks have entered the gate, then returns "open").
/// Markers are files, so "once" survives the instance being replaced.
/// </summary>
public sealed class ScriptedService : ServiceContainer
{
    public override void OnInvoke(TaskContext taskContext)
    {
        var command = Encoding.UTF8.GetString(taskContext.PopulateTaskInput().Span);
        var parts = command.Split(':', 3);
        switch (parts[0])
        {
            case "echo":
                Reply(taskContext, parts[1]);
                break;
            case "print":
                Console.WriteLine("this line must not reach the engine's channel");
                Console.Out.Flush();
                Reply(taskContext, parts[1]);
                break;
            case "wait":
                var until = Environment.TickCount64 + 30_000;
                while (!File.Exists(parts[1]) && Environment.TickCount64 < until)
                {
                    Thread.Sleep(10);
                }

                Reply(taskContext, parts[2]);
                break;
            case "crash":
                Environment.Exit(71);
                break;
            case "crash-once":
                if (FirstTime(parts[1]))
                {
                    Environment.Exit(70);
                }

                Reply(taskContext, parts[2]);
                break;
            case "failure":
                throw new FailureException("failing on purpose");
            case "failure-once":
                if (FirstTime(parts[1]))
                {
                    throw new FailureException("failing once on purpose");
                }

                Reply(taskContext, parts[2]);
                break;
            case "fatal":
                throw new FatalException("fatal on purpose");
            case "hold":
                Thread.Sleep(TimeSpan.FromSeconds(60));
                break;
            case "hold-once":
                if (FirstTime(parts[1]))
                {
                    Thread.Sleep(TimeSpan.FromSeconds(60));
                }

                Reply(taskContext, parts[2]);
                break;
            case "gate":
                File.WriteAllText(Path.Combine(parts[1], Guid.NewGuid().ToString("N")), taskContext.TaskId);
                var needed = int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
                var deadline = Environment.TickCount64 + 30_000;
                while (Directory.GetFiles(parts[1]).Length < needed && Environment.TickCount64 < deadline)
                {
                    Thread.Sleep(10);
                }

                Reply(taskContext, "open");
                break;
            default:
                throw new FatalException($"unknown command {command}");
        }
    }

    public static byte[] Command(string text) => Encoding.UTF8.GetBytes(text);

    private static void Reply(TaskContext taskContext, string text) => taskContext.SetTaskOutput(Encoding.UTF8.GetBytes(text));

    private static bool FirstTime(string marker)
    {
        try
        {
            using var created = new FileStream(marker, FileMode.CreateNew);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
