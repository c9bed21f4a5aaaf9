using Scaler.ObjectStorage.Wire;

namespace Scaler.ObjectStorage.Tests.Support;

/// <summary>
/// The reference's object storage conversations as (request frames, expected answer frames) per peer, split into
/// requests: a header and, for set and duplicate, its payload frame.
/// </summary>
internal sealed record GoldenPeer(string Name, byte[] Identity, IReadOnlyList<byte[][]> Requests, IReadOnlyList<byte[]> ExpectedAnswerFrames)
{
    /// <summary>The client, the worker's processor and the scheduler, in the order their conversations can be replayed.</summary>
    public static IReadOnlyList<GoldenPeer> LoadAll() =>
    [
        Load("client", "client-to-object-storage.bin", "object-storage-to-client.bin"),
        Load("processor", "processor-to-object-storage.bin", "object-storage-to-processor.bin"),
        Load("scheduler", "scheduler-to-object-storage.bin", "object-storage-to-scheduler.bin"),
    ];

    private static GoldenPeer Load(string name, string requestsFile, string answersFile)
    {
        GoldenStream requests = GoldenStream.Load(requestsFile);
        GoldenStream answers = GoldenStream.Load(answersFile);
        Assert.Equal("ObjectStorageServer"u8.ToArray(), answers.Identity);

        var grouped = new List<byte[][]>();
        for (int i = 0; i < requests.Frames.Count; i++)
        {
            ObjectRequest header = ObjectStorageWire.DecodeRequest(requests.Frames[i]);
            grouped.Add(header.HasPayloadFrame ? [requests.Frames[i], requests.Frames[++i]] : [requests.Frames[i]]);
        }

        return new GoldenPeer(name, requests.Identity, grouped, answers.Frames);
    }
}
