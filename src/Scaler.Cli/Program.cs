using Scaler.Cli.Commands;
using Scaler.Hosting.CommandLine;

namespace Scaler.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args) => CliRunner.RunAsync(RootCommandFactory.Create(), args);
}
