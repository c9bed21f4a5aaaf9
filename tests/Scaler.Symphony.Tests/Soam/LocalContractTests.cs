using Scaler.Symphony.Local;
using Scaler.Symphony.Soam;
using Scaler.Symphony.Tests.Support;

namespace Scaler.Symphony.Tests.Soam;

public sealed class LocalContractTests : SoamContractTests
{
    protected override ISoamApi CreateApi() => new LocalSoamApi([TestProfiles.Scripted(maxInstances: 2, taskRetryLimit: 1)]);

    protected override byte[] Echo(string text) => ScriptedService.Command("echo:" + text);

    protected override byte[] AlwaysFailing() => ScriptedService.Command("failure");

    protected override byte[] NeverFinishing() => ScriptedService.Command("hold");

    protected override void Abort(ISoamSession session, string reason) => ((LocalSoamSession)session).Abort(reason);
}
