using System.CommandLine;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Configuration;
using Scaler.Hosting.Launch;

namespace Scaler.Cli.Commands;

/// <summary>
/// <c>scaler-cli launch config.toml</c> (the reference's <c>scaler config.toml</c>). For now it reads and checks the
/// whole file and lists what it would start; starting the processes comes later.
/// </summary>
internal static class LaunchCommand
{
    public const string Name = "launch";

    public static Command Create()
    {
        var configFile = new Argument<string>("config") { Description = "TOML file with the sections to start" };
        var command = new Command(Name, "Start the stack described by a TOML file") { configFile };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
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

            if (stack.IsEmpty)
            {
                await error.WriteLineAsync($"error: no recognized section in {path}".AsMemory(), cancellationToken).ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            await output.WriteLineAsync(Describe(stack, path).AsMemory(), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Describe(StackConfiguration stack, string path)
    {
        var lines = new List<string> { $"{path}: configuration is valid; sections found:" };
        if (stack.ObjectStorageServer is { } storage)
        {
            lines.Add($"  [object_storage_server] bind_address = {storage.BindAddress}");
        }

        if (stack.Scheduler is { } scheduler)
        {
            lines.Add($"  [scheduler] bind_address = {scheduler.BindAddress}, object_storage_address = {scheduler.ObjectStorageAddress}");
        }

        foreach (var manager in stack.WorkerManagers)
        {
            lines.Add($"  [[worker_manager]] type = {manager.Type}, worker_manager_id = {manager.Manager.WorkerManagerId}, scheduler_address = {manager.Manager.SchedulerAddress}");
        }

        if (stack.Top is { } top)
        {
            lines.Add($"  [top] monitor_address = {top.MonitorAddress}");
        }

        lines.AddRange(stack.IgnoredSections.Select(name => $"  [{name}] ignored: not supported by Scaler.NET yet"));
        lines.Add("starting processes is not built yet");
        return string.Join(Environment.NewLine, lines);
    }
}
