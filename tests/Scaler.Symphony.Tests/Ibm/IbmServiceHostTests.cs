using System.Collections;
using Scaler.Functions;
using Scaler.Symphony.Ibm;
using Scaler.Symphony.Service;
using Scaler.Symphony.Soam;
using Scaler.Symphony.Tests.Service;
using Scaler.Symphony.Tests.Support;

namespace Scaler.Symphony.Tests.Ibm;

/// <summary>Our service container run inside the stand-in's (IBM-shaped) ServiceContainer through an emitted subclass.</summary>
public sealed class IbmServiceHostTests
{
    [Fact]
    public void ScalerTaskService_RunsUnderIbmServiceContainer()
    {
        var api = IbmSoamApi.Load(StandIn.AssemblyPath);
        var harness = api.TypeOf("StandInServiceHarness");
        var inputs = (IList)harness.GetProperty("Inputs")!.GetValue(null)!;
        var call = PackagedCall.Create((Func<int, int, int>)SampleFunctions.Add, 2, 3);
        inputs.Add(SymphonyTaskEnvelope.FromPackagedCall(call).Encode());
        inputs.Add("garbage"u8.ToArray());

        IbmServiceHost.Run(api, new ScalerTaskService());

        var results = ((IList)harness.GetProperty("Results")!.GetValue(null)!).Cast<string>().ToList();
        var calls = ((IList)harness.GetProperty("Calls")!.GetValue(null)!).Cast<string>().ToList();
        Assert.Equal(["OnCreateService", "OnSessionEnter", "OnInvoke", "OnInvoke", "OnSessionLeave", "OnDestroyService"], calls);
        Assert.Equal(2, results.Count);
        Assert.StartsWith("output:", results[0], StringComparison.Ordinal);
        var output = SymphonyTaskResult.Decode(Convert.FromBase64String(results[0]["output:".Length..]));
        Assert.Equal(5, call.Function.DeserializeResult(output.Payload));
        Assert.StartsWith("FatalException:", results[1], StringComparison.Ordinal);
        Assert.Contains("magic", results[1], StringComparison.Ordinal);
    }

    [Fact]
    public void FailureFromOurService_BecomesIbmsFailureException()
    {
        var api = IbmSoamApi.Load(StandIn.AssemblyPath);
        var harness = api.TypeOf("StandInServiceHarness");
        ((IList)harness.GetProperty("Inputs")!.GetValue(null)!).Add(ScriptedService.Command("failure"));

        IbmServiceHost.Run(api, new ScriptedService());

        var result = Assert.Single(((IList)harness.GetProperty("Results")!.GetValue(null)!).Cast<string>());
        Assert.Equal("FailureException:Scaler.Symphony.Soam.FailureException: failing on purpose", result);
    }
}
