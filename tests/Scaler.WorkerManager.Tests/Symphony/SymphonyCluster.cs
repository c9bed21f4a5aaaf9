using Microsoft.Extensions.Logging.Abstractions;
using System.CommandLine;
using Scaler.Cli.Commands;
using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;
using Scaler.Scheduler.Runtime;
using Scaler.Symphony.Local;
using Scaler.WorkerManager.Symphony;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>
/// One real scheduler (with its embedded object storage) on 127.0.0.1, the Symphony worker manager in-process with
/// the local SOAM engine (service instances are real scaler-cli processes, ended on dispose) at
/// max-task-concurrency 2, and a connected .NET client. Shared by the tests of <see cref="SymphonyEndToEndTests"/>.
/// </summary>
public class SymphonyCluster : IAsyncLifetime, IDisposable
{
    public const string ServiceName = "ScalerTestService";
    public const int MaxTaskConcurrency = 2;

    private readonly CancellationTokenSource _stop = new();
    private SchedulerServer? _scheduler;
    private Task<int>? _manager;

    public SymphonyCluster()
        : this(LocalServiceCommand.ScalerCli())
    {
    }

    /// <summary>A cluster whose service instances run <paramref name="serviceCommand"/>.</summary>
    protected SymphonyCluster(LocalServiceCommand serviceCommand) => Api = new(new LocalSoamApi(
        [LocalApplicationProfile.ForScaler(ServiceName, MaxTaskConcurrency, serviceCommand)], NullLoggerFactory.Instance));

    public void Dispose()
    {
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    internal RecordingSoamApi Api { get; }

    private Client? _client;

    public Client Client => _client ?? throw new InvalidOperationException("the cluster did not start");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        _scheduler = await SchedulerServer.StartAsync(
            new SchedulerServerOptions { BindAddress = IO.Addressing.ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, timeout.Token);
        var settings = BindSettings($"{_scheduler.Address} -wmi wm-symphony -sn {ServiceName} -mtc {MaxTaskConcurrency} --soam-backend local");
        _manager = Task.Run(() => SymphonyWorkerManager.RunAsync(settings, NullLoggerFactory.Instance, _stop.Token, Api));
        _client = await Client.ConnectAsync(_scheduler.Address.ToString(), cancellationToken: timeout.Token);
    }

    public async Task DisposeAsync()
    {
        // InitializeAsync may have failed part-way; dispose only what was started.
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        await _stop.CancelAsync();
        if (_manager is not null)
        {
            await _manager.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Api.Dispose();
        if (_scheduler is not null)
        {
            await _scheduler.DisposeAsync();
        }
    }

    /// <summary>Binds the options exactly as <c>scaler-cli worker-manager symphony</c> does (command line, then TOML).</summary>
    /// <exception cref="ConfigurationException">The options are refused; the message is the usage error.</exception>
    internal static SymphonyWorkerManagerOptions Bind(string arguments, string? configFile = null)
    {
        SymphonyWorkerManagerOptions? bound = null;
        var command = SymphonyWorkerManagerType.Descriptor.CreateCommand((options, _, _) =>
        {
            bound = options;
            return Task.FromResult(0);
        });
        using var error = new StringWriter();
        var exitCode = command.Parse(configFile is null ? arguments : $"{arguments} -c {configFile}")
            .Invoke(new InvocationConfiguration { Error = error, Output = TextWriter.Null });
        return bound ?? throw new ConfigurationException($"exit code {exitCode}: {error}");
    }

    /// <summary>The manager's settings for a command line, bound and mapped as <c>scaler-cli worker-manager symphony</c> does.</summary>
    internal static SymphonyWorkerManagerSettings BindSettings(string arguments) => SymphonyWorkerManagerType.ToSettings(Bind(arguments));
}
