using System.Text;
using Scaler.Symphony.Ibm;
using Scaler.Symphony.Soam;
using Scaler.Symphony.Tests.Support;

namespace Scaler.Symphony.Tests.Soam;

public sealed class IbmStandInContractTests : SoamContractTests
{
    protected override ISoamApi CreateApi() => IbmSoamApi.Load(StandIn.AssemblyPath);

    protected override byte[] Echo(string text) => Encoding.UTF8.GetBytes(text);

    protected override byte[] AlwaysFailing() => Encoding.UTF8.GetBytes("fail:by request");

    protected override byte[] NeverFinishing() => Encoding.UTF8.GetBytes("hold:forever");

    protected override void Abort(ISoamSession session, string reason)
    {
        var native = ((IbmSoamSession)session).Native;
        native.GetType().GetMethod("Abort")!.Invoke(native, [reason]);
    }
}
