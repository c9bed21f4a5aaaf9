namespace Scaler.Protocol.Generator;

/// <summary>
/// Usage: Scaler.Protocol.Generator &lt;layout dir&gt; &lt;output dir&gt;. Reads every <c>*.layout.txt</c> and writes
/// the generated <c>*.g.cs</c> files (scripts/regen-protocol.sh runs it).
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: Scaler.Protocol.Generator <layout dir> <output dir>");
            return 2;
        }

        var layouts = Directory.GetFiles(args[0], "*.layout.txt")
            .Order(StringComparer.Ordinal)
            .Select(path => (Path.GetFileName(path)[..^".layout.txt".Length], File.ReadAllText(path)))
            .ToList();
        Directory.CreateDirectory(args[1]);
        foreach (var (name, text) in ProtocolGenerator.Generate(layouts))
        {
            File.WriteAllText(Path.Combine(args[1], name), text);
            Console.WriteLine($"wrote {name}");
        }

        return 0;
    }
}
