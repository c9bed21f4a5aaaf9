using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Scaler.IO.Tests.Support;
using Scaler.IO.Ymq;

namespace Scaler.IO.Tests.Ymq;

/// <summary>
/// Every stream captured from the reference implementation (Golden/*.bin, from shared/golden) parses into the magic
/// and the frames that the reference's own listing (Golden/listing.txt, decoded with the official capnp tool) shows.
/// </summary>
public sealed partial class GoldenStreamTests
{
    public static TheoryData<string> GoldenFiles()
    {
        var data = new TheoryData<string>();
        foreach (var name in Golden.Listing().Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void Listing_CoversEveryCapturedFile()
    {
        var files = Directory.GetFiles(Golden.Directory, "*.bin").Select(Path.GetFileName).Order().ToArray();

        Assert.Equal(10, files.Length);
        Assert.Equal(files, Golden.Listing().Keys.Order().ToArray());
    }

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public void GoldenStream_ParsesIntoTheListedFrames(string file)
    {
        var expected = Golden.Listing()[file];
        var bytes = Golden.Read(file);
        Assert.Equal(expected.TotalBytes, bytes.Length);

        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(YmqFrameReader.TryReadMagic(ref buffer));
        var frames = new List<(long Offset, byte[] Payload)>();
        while (true)
        {
            var offset = bytes.Length - buffer.Length;
            if (!YmqFrameReader.TryReadFrame(ref buffer, 1 << 20, out var payload))
            {
                break;
            }

            frames.Add((offset, payload.ToArray()));
        }

        Assert.Equal(0, buffer.Length);
        Assert.Equal(expected.Frames.Count, frames.Count);
        for (var i = 0; i < frames.Count; i++)
        {
            Assert.Equal(expected.Frames[i].Offset, frames[i].Offset);
            Assert.Equal(expected.Frames[i].Length, frames[i].Payload.Length);
        }

        Assert.Equal(expected.Identity, Encoding.UTF8.GetString(frames[0].Payload));
        Assert.Equal(expected.Identity, new PeerIdentity(frames[0].Payload).ToString());
    }

    [Fact]
    public void GoldenStream_SplitIntoSmallSegments_ParsesTheSameFrames()
    {
        var bytes = Golden.Read("client-to-object-storage.bin");
        var cuts = Enumerable.Range(1, bytes.Length / 7).Select(i => i * 7).Where(c => c < bytes.Length).ToArray();
        var buffer = Sequences.Split(bytes, cuts);

        Assert.True(YmqFrameReader.TryReadMagic(ref buffer));
        var count = 0;
        while (YmqFrameReader.TryReadFrame(ref buffer, 1 << 20, out _))
        {
            count++;
        }

        Assert.Equal(Golden.Listing()["client-to-object-storage.bin"].Frames.Count, count);
    }

    internal sealed record ListedStream(int TotalBytes, string Identity, List<(long Offset, int Length)> Frames);

    internal static partial class Golden
    {
        public static string Directory => Path.Combine(AppContext.BaseDirectory, "Golden");

        public static byte[] Read(string file) => File.ReadAllBytes(Path.Combine(Directory, file));

        /// <summary>Parses listing.txt: "== name (N bytes)", then "@offset frame i (len bytes) ..." lines.</summary>
        public static Dictionary<string, ListedStream> Listing()
        {
            var result = new Dictionary<string, ListedStream>();
            string? name = null;
            foreach (var line in File.ReadLines(Path.Combine(Directory, "listing.txt")))
            {
                var header = HeaderLine().Match(line);
                if (header.Success)
                {
                    name = header.Groups[1].Value;
                    result[name] = new ListedStream(int.Parse(header.Groups[2].Value, CultureInfo.InvariantCulture), string.Empty, []);
                    continue;
                }

                var frame = FrameLine().Match(line);
                if (frame.Success && name is not null)
                {
                    var stream = result[name];
                    stream.Frames.Add((long.Parse(frame.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(frame.Groups[3].Value, CultureInfo.InvariantCulture)));
                    var identity = IdentityText().Match(line);
                    if (frame.Groups[2].Value == "0" && identity.Success)
                    {
                        result[name] = stream with { Identity = identity.Groups[1].Value };
                    }
                }
            }

            return result;
        }

        [GeneratedRegex(@"^== (\S+\.bin) \((\d+) bytes\)")]
        private static partial Regex HeaderLine();

        [GeneratedRegex(@"^\s+@(\d+) frame (\d+) \((\d+) bytes\)")]
        private static partial Regex FrameLine();

        [GeneratedRegex(@"identity '([^']*)'")]
        private static partial Regex IdentityText();
    }
}
