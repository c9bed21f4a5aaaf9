using Scaler.Cli.Commands;
using Scaler.Hosting.CommandLine;

namespace Scaler.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args)
    {
        // Before anything touches a socket: the runtime reads it once (InlineSocketCompletions says why).
        InlineSocketCompletions.Enable();
        return CliRunner.RunAsync(RootCommandFactory.Create(), args);
    }
}
