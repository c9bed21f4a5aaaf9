using Scaler.Symphony.Ibm;
using Scaler.Symphony.Local;
using Scaler.Symphony.Soam;
using Scaler.Symphony.Tests.Support;

namespace Scaler.Symphony.Tests.Ibm;

public sealed class IbmAdapterTests : IDisposable
{
    private readonly TempDirectory _empty = new();

    public void Dispose() => _empty.Dispose();

    [Fact]
    public void Locate_FindsTheAssemblyByExplicitFilePath()
    {
        var path = IbmSoamLocator.Locate(StandIn.AssemblyPath, soamHome: null, out var reason);

        Assert.Equal(StandIn.AssemblyPath, path);
        Assert.Contains("library path", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_FindsTheAssemblyInAnExplicitDirectory()
    {
        Assert.Equal(StandIn.AssemblyPath, IbmSoamLocator.Locate(StandIn.LibDirectory, soamHome: null, out _));
    }

    [Fact]
    public void Locate_SearchesSoamHomeRecursively()
    {
        var path = IbmSoamLocator.Locate(libraryPath: null, StandIn.SoamHome, out var reason);

        Assert.Equal(StandIn.AssemblyPath, path);
        Assert.Contains("SOAM_HOME=", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_SaysWhyNothingWasFound()
    {
        Assert.Null(IbmSoamLocator.Locate(null, null, out var unset));
        Assert.Null(IbmSoamLocator.Locate(null, _empty.Path, out var empty));

        Assert.Contains("SOAM_HOME is not set", unset, StringComparison.Ordinal);
        Assert.Contains("no Platform.Symphony.Soam.Net.dll under SOAM_HOME=", empty, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BindsTheStandInAndConnects()
    {
        using var api = IbmSoamApi.Load(StandIn.AssemblyPath);
        api.Initialize();
        using var connection = api.Connect("ScalerApp", DefaultSecurityCallback.Guest);

        Assert.Equal("ibm", api.BackendName);
        Assert.False(string.IsNullOrEmpty(connection.Id));
        api.Uninitialize();
    }

    [Fact]
    public void Auto_WithTheAssemblyUnderSoamHome_ChoosesIbmAndSaysWhy()
    {
        var logger = new ListLogger();

        using var api = SoamBackendSelector.Select(SoamBackendKind.Auto, null, StandIn.SoamHome, NoLocal, logger);

        Assert.IsType<IbmSoamApi>(api);
        var line = Assert.Single(logger.Lines);
        Assert.StartsWith("SOAM backend: ibm (loaded ", line, StringComparison.Ordinal);
        Assert.Contains("SOAM_HOME=", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_WithoutTheAssembly_ChoosesLocalAndSaysWhy()
    {
        var logger = new ListLogger();

        using var api = SoamBackendSelector.Select(SoamBackendKind.Auto, null, _empty.Path, Local, logger);

        Assert.IsType<LocalSoamApi>(api);
        var line = Assert.Single(logger.Lines);
        Assert.StartsWith("SOAM backend: local (auto: IBM's SOAM .NET API not found (no Platform.Symphony.Soam.Net.dll under SOAM_HOME=", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Ibm_WithAnExplicitPath_LoadsIt()
    {
        var logger = new ListLogger();

        using var api = SoamBackendSelector.Select(SoamBackendKind.Ibm, StandIn.AssemblyPath, null, NoLocal, logger);

        Assert.Equal(StandIn.AssemblyPath, Assert.IsType<IbmSoamApi>(api).AssemblyPath);
        Assert.Contains("library path", Assert.Single(logger.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public void Ibm_WhenNotFound_IsAClearError()
    {
        var logger = new ListLogger();

        var error = Assert.Throws<SoamException>(() => SoamBackendSelector.Select(SoamBackendKind.Ibm, null, null, Local, logger));

        Assert.Equal("--soam-backend ibm: IBM's SOAM .NET API (Platform.Symphony.Soam.Net.dll) was not found: SOAM_HOME is not set and no library path was given", error.Message);
        Assert.Empty(logger.Lines);
    }

    [Fact]
    public void Local_IsChosenEvenWhenIbmIsThere()
    {
        var logger = new ListLogger();

        using var api = SoamBackendSelector.Select(SoamBackendKind.Local, null, StandIn.SoamHome, Local, logger);

        Assert.IsType<LocalSoamApi>(api);
        Assert.Equal("SOAM backend: local (--soam-backend local)", Assert.Single(logger.Lines));
    }

    private static ISoamApi Local() => new LocalSoamApi([TestProfiles.Scripted()]);

    private static ISoamApi NoLocal() => throw new InvalidOperationException("the local backend must not be created");
}
