using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Local;

/// <summary>
/// Backend <c>local</c>: a built-in SOAM engine for development, tests and single-machine use. The applications
/// it knows are the profiles given here; each gets one <see cref="LocalSoamEngine"/>, started on first connect and
/// stopped (every instance process ended) by <see cref="Uninitialize"/> or <see cref="Dispose"/>.
/// </summary>
public sealed class LocalSoamApi : ISoamApi
{
    public const string Name = "local";

    private readonly Dictionary<string, LocalApplicationProfile> _profiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LocalSoamEngine> _engines = new(StringComparer.Ordinal);
    private readonly ILoggerFactory _loggerFactory;
    private bool _initialized;

    public LocalSoamApi(IEnumerable<LocalApplicationProfile> profiles, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        foreach (var profile in profiles)
        {
            if (!_profiles.TryAdd(profile.ApplicationName, profile))
            {
                throw new ArgumentException($"application {profile.ApplicationName} is registered twice", nameof(profiles));
            }
        }

        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    public string BackendName => Name;

    public void Initialize()
    {
        lock (_engines)
        {
            _initialized = true;
        }
    }

    public ISoamConnection Connect(string applicationName, ConnectionSecurityCallback securityCallback)
    {
        ArgumentNullException.ThrowIfNull(applicationName);
        ArgumentNullException.ThrowIfNull(securityCallback);
        lock (_engines)
        {
            if (!_initialized)
            {
                throw new SoamException("Initialize must be called before Connect");
            }

            if (!_engines.TryGetValue(applicationName, out var engine))
            {
                if (!_profiles.TryGetValue(applicationName, out var profile))
                {
                    throw new SoamException(
                        $"application '{applicationName}' is not registered with the local engine (registered: {string.Join(", ", _profiles.Keys)})");
                }

                engine = new LocalSoamEngine(profile, _loggerFactory.CreateLogger<LocalSoamEngine>());
                _engines.Add(applicationName, engine);
            }

            return new LocalSoamConnection(engine);
        }
    }

    public void Uninitialize()
    {
        List<LocalSoamEngine> engines;
        lock (_engines)
        {
            _initialized = false;
            engines = [.. _engines.Values];
            _engines.Clear();
        }

        foreach (var engine in engines)
        {
            engine.Dispose();
        }
    }

    public void Dispose() => Uninitialize();
}
