using Scaler.Protocol.Messages;
using Scaler.Python.Pickles;
using Scaler.Symphony.Service;
using Scaler.WorkerManager.Symphony;

namespace Scaler.WorkerManager.Tests.Symphony;

public sealed class PythonSoamContractTests
{
    // cloudpickle.dumps(49) and cloudpickle.dumps([b"J42"]) (protocol 5, as cloudpickle writes them)
    private static readonly byte[] Pickled49 = [0x80, 0x05, 0x4b, 0x31, 0x2e];
    private static readonly byte[] PickledListOfBytes =
        [0x80, 0x05, 0x95, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0x5d, 0x94, 0x43, 0x03, (byte)'J', (byte)'4', (byte)'2', 0x94, 0x61, 0x2e];

    [Fact]
    public void ReferenceServicesBareOutput_IsTheResultObject_WithTheDefaultSerializer()
    {
        var (type, result) = PythonSoamContract.ReadOutput(Pickled49, referenceDefaultSerializer: true, "1");

        Assert.Equal(TaskResultType.Success, type);
        Assert.Equal(Pickled49, result.ToArray());
    }

    [Fact]
    public void WithTheClientsOwnSerializer_TheResultObjectIsTakenOutOfTheOneItemList()
    {
        var (type, result) = PythonSoamContract.ReadOutput(PickledListOfBytes, referenceDefaultSerializer: false, "1");

        Assert.Equal(TaskResultType.Success, type);
        Assert.Equal("J42"u8.ToArray(), result.ToArray());
    }

    [Fact]
    public void OurServicesEnvelope_SuccessAndFailure()
    {
        var failure = PythonErrors.Runtime("raised");
        var (okType, ok) = PythonSoamContract.ReadOutput(SymphonyTaskResult.Success(Pickled49).Encode(), true, "1");
        var (failedType, failed) = PythonSoamContract.ReadOutput(SymphonyTaskResult.Failure(failure).Encode(), true, "2");

        Assert.Equal(TaskResultType.Success, okType);
        Assert.Equal(Pickled49, ok.ToArray());
        Assert.Equal(TaskResultType.Failed, failedType);
        Assert.Equal(failure, failed.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { (byte)'{', (byte)'}' }, true, "not a pickle")]
    [InlineData(new byte[] { 0x80, 0x05, 0x4b, 0x31, 0x2e }, false, "not the serialized result")]
    [InlineData(new byte[] { (byte)'S', (byte)'C', (byte)'L', (byte)'R', (byte)'S', (byte)'Y', (byte)'M', (byte)'R', 9, 0, 0 }, true, "cannot read")]
    public void AnOutputThatReadsAsNeither_FailsTheTaskWithAPickledErrorNamingTheCause(byte[] output, bool defaultSerializer, string cause)
    {
        var (type, payload) = PythonSoamContract.ReadOutput(output, defaultSerializer, "7");

        Assert.Equal(TaskResultType.Failed, type);
        Assert.True(PythonPickles.TryDescribeException(payload, out var exception, out var message));
        Assert.Equal("RuntimeError", exception);
        Assert.Contains(cause, message, StringComparison.Ordinal);
        Assert.Contains("Symphony task 7", message, StringComparison.Ordinal);
    }
}
