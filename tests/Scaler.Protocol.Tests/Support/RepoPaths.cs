namespace Scaler.Protocol.Tests.Support;

/// <summary>Finds files of the source tree (schema, layouts, vectors) from the test's output folder.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    public static string Schema => Path.Combine(Root, "src", "Scaler.Protocol", "Schema");

    public static string Layouts => Path.Combine(Schema, "Layout");

    public static string Messages => Path.Combine(Root, "src", "Scaler.Protocol", "Messages");

    public static string Vectors => Path.Combine(Root, "tests", "Scaler.Protocol.Tests", "Vectors");

    public static string Golden => Path.Combine(Root, "tests", "Scaler.Protocol.Tests", "Golden");

    public static byte[] Vector(string name) => File.ReadAllBytes(Path.Combine(Vectors, name + ".bin"));

    public static IEnumerable<string> VectorNames() =>
        Directory.GetFiles(Vectors, "*.bin").Select(p => Path.GetFileNameWithoutExtension(p)).Order(StringComparer.Ordinal);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Scaler.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Scaler.slnx) above " + AppContext.BaseDirectory);
    }
}
