using Microsoft.Extensions.Logging.Abstractions;
using Scaler.Functions;
using Scaler.IO.Addressing;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Server;
using Scaler.Protocol.Messages;
using Scaler.Symphony.Local;
using Scaler.Symphony.Service;
using Scaler.WorkerManager.Symphony;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>
/// What the service is known to hold outlives the worker that learned it: the worker manager stops its Symphony worker
/// when idle and starts a new one, whose tasks must still name known code by hash only.
/// </summary>
public sealed class ServiceCodeLedgerTests
{
    private const string Application = "ScalerLedgerApp";
    private const string Client = "Client|ledger-test";
    private const string Code = "0a1b";

    [Fact]
    public void CodeMayBeOmitted_OnlyWhenItRanAndTheServiceResolvesByHash()
    {
        var ledger = new ServiceCodeLedger();
        ledger.Ran([Code]);
        Assert.False(ledger.MayOmit(Code));

        ledger.ObserveResultLayout(2);
        Assert.True(ledger.MayOmit(Code));
        Assert.False(ledger.MayOmit("ffff"));

        // An instance of an older package (layout 1) cannot answer code-missing: code is sent again in full.
        ledger.ObserveResultLayout(1);
        Assert.False(ledger.MayOmit(Code));
        Assert.Equal(1, ledger.Count);
    }

    [Fact]
    public async Task WorkerStartedAfterAnother_SharedLedger_NamesKnownCodeByHash_FreshLedgerSendsTheBytes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var server = await ObjectStorageServer.StartAsync(
            new ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, cts.Token);
        await using var storage = await ObjectStorageClient.ConnectAsync(server.LocalAddress, Client, NullLoggerFactory.Instance, cts.Token);
        using var api = new RecordingSoamApi(new LocalSoamApi([LocalApplicationProfile.ForScaler(Application, maxInstances: 1)], NullLoggerFactory.Instance));
        var shared = new ServiceCodeLedger();

        var first = await RunOneTaskAsync(api, shared, "ledger-first", server.LocalAddress, storage, cts.Token);
        var second = await RunOneTaskAsync(api, shared, "ledger-second", server.LocalAddress, storage, cts.Token);
        var fresh = await RunOneTaskAsync(api, new ServiceCodeLedger(), "ledger-fresh", server.LocalAddress, storage, cts.Token);

        Assert.True(first.CarriedCode, "the first worker's task did not carry the code the service had never seen");
        Assert.False(second.CarriedCode, "a worker sharing the ledger sent code the service was known to hold");
        Assert.True(fresh.CarriedCode, "a worker with a fresh ledger named code by hash it had no reason to think was held");
        Assert.All([first, second, fresh], run => Assert.Equal(TaskResultType.Success, run.Result));
    }

    /// <summary>Starts a backend (a worker's), runs one task on it to the end, and stops it (its session closes).</summary>
    private static async Task<(bool CarriedCode, TaskResultType Result)> RunOneTaskAsync(
        RecordingSoamApi api, ServiceCodeLedger ledger, string worker, ScalerAddress storageAddress, ObjectStorageClient storage, CancellationToken cancellationToken)
    {
        using var sink = new BackendTestKit.RecordingSink();
        var mark = api.InputCount;
        await using (var backend = new SymphonyExecutionBackend(
            api,
            new SymphonyBackendOptions { ApplicationName = Application, WorkerIdentity = worker, MaxTaskConcurrency = 1, CodeLedger = ledger },
            NullLoggerFactory.Instance))
        {
            await backend.StartAsync(storageAddress, sink, cancellationToken);
            await BackendTestKit.EventuallyAsync(() => backend.CanAccept, cancellationToken);
            var task = await BackendTestKit.CreateTaskAsync(
                storage, Client, PackagedCall.Create(new Func<int, int>(SymphonyFunctions.Square), 9), cancellationToken);
            await backend.SubmitAsync(task, cancellationToken);
            var completion = Assert.Single(await sink.WaitForAsync(1, cancellationToken));
            var inputs = api.InputsSince(mark);
            await api.OutputsOfAsync(inputs, cancellationToken);
            return (inputs[0].CarriesCode, completion.ResultType);
        }
    }
}
