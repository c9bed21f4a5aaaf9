using Xunit.Abstractions;
using Scaler.Protocol.Messages;
using Scaler.Protocol.Tests.Support;

namespace Scaler.Protocol.Tests;

/// <summary>
/// Mutates the official vectors (bit flips, byte changes, truncations, insertions, pointer-sized overwrites) with a
/// fixed seed and decodes every result through the full typed decoder: only <see cref="ProtocolException"/> may escape.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Iterations = 120_000;

    [Fact]
    public void MutatedVectors_OnlyEverThrowProtocolException()
    {
        var seeds = RepoPaths.VectorNames()
            .Where(n => !n.StartsWith("large-", StringComparison.Ordinal))
            .Select(n => (Root: CapnpTool.RootOf(n), Bytes: RepoPaths.Vector(n)))
            .ToList();
        // Multi-segment seeds so far and double-far pointers get mutated too.
        seeds.Add(("Message", MultiSegment.Split(RepoPaths.Vector("task"))));
        seeds.Add(("Message", MultiSegment.Split(RepoPaths.Vector("worker-heartbeat"))));
        seeds.Add(("Message", MultiSegment.Split(RepoPaths.Vector("state-scheduler"))));

        var random = new Random(20261126);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var decoded = 0;
        var rejected = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var (root, seed) = seeds[random.Next(seeds.Count)];
            var input = Mutate(seed, random);
            try
            {
                Decode(root, input);
                decoded++;
            }
            catch (ProtocolException)
            {
                rejected++;
            }
            catch (Exception error)
            {
                Assert.Fail($"iteration {i}: {error.GetType().Name} escaped for input {Convert.ToHexString(input)}: {error}");
            }
        }

        output.WriteLine($"decoded {decoded}, rejected {rejected}, {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
        // Both outcomes must be common, or the mutations are not exercising the decoder.
        Assert.True(decoded > Iterations / 20, $"only {decoded} mutated inputs decoded");
        Assert.True(rejected > Iterations / 20, $"only {rejected} mutated inputs were rejected");
    }

    private static void Decode(string root, byte[] input)
    {
        switch (root)
        {
            case "ObjectRequestHeader":
                ObjectStorageCodec.DecodeRequestHeader(input);
                break;
            case "ObjectResponseHeader":
                ObjectStorageCodec.DecodeResponseHeader(input);
                break;
            default:
                var message = MessageCodec.Decode(input);
                // Whatever decodes must encode again.
                MessageCodec.Encode(message);
                break;
        }
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = seed.ToList();
        var mutations = 1 + random.Next(4);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 3:
                    bytes.InsertRange(at, Enumerable.Range(0, 1 + random.Next(16)).Select(_ => (byte)random.Next(256)));
                    break;
                case 4:
                    // Overwrite a whole aligned word: forges pointers of any kind.
                    var word = at & ~7;
                    for (var b = word; b < Math.Min(word + 8, bytes.Count); b++)
                    {
                        bytes[b] = (byte)random.Next(256);
                    }

                    break;
                default:
                    bytes[at] = random.Next(2) == 0 ? (byte)0 : (byte)0xff;
                    break;
            }
        }

        return [.. bytes];
    }
}
