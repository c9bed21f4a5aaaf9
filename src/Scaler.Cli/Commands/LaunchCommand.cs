using System.CommandLine;
using Scaler.Cli.Launch;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Configuration;

namespace Scaler.Cli.Commands;

/// <summary>
/// <c>scaler-cli launch config.toml</c> (the reference's <c>scaler config.toml</c>): checks the whole file, then starts
/// one process of this executable per section (see <see cref="LaunchPlan"/>), prefixes their output with their names
/// and stops all of them when one exits or on Ctrl-C/SIGTERM (see <see cref="StackSupervisor"/>).
/// </summary>
internal static class LaunchCommand
{
    public const string Name = "launch";

    /// <summary>How long children get to stop after SIGTERM before they are killed.</summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromSeconds(10);

    /// <param name="factory">starts the children; null starts real processes of this executable</param>
    /// <param name="gracePeriod">null means <see cref="DefaultGracePeriod"/></param>
    public static Command Create(IChildProcessFactory? factory = null, TimeSpan? gracePeriod = null)
    {
        var configFile = new Argument<string>("config") { Description = "TOML file with the sections to start" };
        var command = new Command(Name, "Start the stack described by a TOML file") { configFile };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var console = new PrefixedConsole(parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error);
            var error = parseResult.InvocationConfiguration.Error;
            var path = parseResult.GetRequiredValue(configFile);
            StackConfiguration stack;
            try
            {
                stack = StackConfiguration.Load(path);
            }
            catch (ConfigurationException e)
            {
                await error.WriteLineAsync($"error: {e.Message}".AsMemory(), cancellationToken).ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            string? scratch = null;
            try
            {
                LaunchPlan plan;
                try
                {
                    plan = LaunchPlan.Create(stack, path, () => scratch ??= Directory.CreateTempSubdirectory("scaler-launch-").FullName);
                }
                catch (Exception e) when (e is ConfigurationException or IOException or UnauthorizedAccessException)
                {
                    await error.WriteLineAsync($"error: {e.Message}".AsMemory(), cancellationToken).ConfigureAwait(false);
                    return ExitCodes.Failure;
                }

                foreach (var note in plan.Notes)
                {
                    console.Note(note);
                }

                if (plan.Children.Count == 0)
                {
                    await error.WriteLineAsync($"error: no section to start in {path}".AsMemory(), cancellationToken).ConfigureAwait(false);
                    return ExitCodes.Failure;
                }

                var storageTls = stack.ObjectStorageServer?.Security.ToTlsSettings() ?? IO.Tls.TlsSettings.None;
                return await SuperviseAsync(plan, factory, gracePeriod ?? DefaultGracePeriod, console, storageTls, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (scratch is not null)
                {
                    Directory.Delete(scratch, recursive: true);
                }
            }
        });
        return command;
    }

    private static async Task<int> SuperviseAsync(
        LaunchPlan plan,
        IChildProcessFactory? factory,
        TimeSpan gracePeriod,
        PrefixedConsole console,
        IO.Tls.TlsSettings storageTls,
        CancellationToken cancellationToken)
    {
        using var signals = LaunchSignals.Listen();
        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(signals.Shutdown, cancellationToken);
        factory ??= new OsChildProcessFactory(SelfCommand.Current());
        // Only the object storage server is waited for (LaunchPlan): the probe presents that server's own files.
        var supervisor = new StackSupervisor(
            factory, console, gracePeriod, TimeProvider.System, (address, ct) => YmqReadiness.WaitAsync(address, storageTls, ct))
        {
            ChildrenGotTheSignal = () => signals.FirstWasInterrupt,
        };
        var result = await supervisor.RunAsync(plan.Children, shutdown.Token, signals.ForceStop).ConfigureAwait(false);
        if (result.LauncherExitCode == ExitCodes.Success)
        {
            console.Note(result.Describe());
        }
        else
        {
            console.Error($"error: {result.Describe()}");
        }

        return result.LauncherExitCode;
    }
}
