using Scaler.Protocol.Generator;
using Scaler.Protocol.Tests.Support;

namespace Scaler.Protocol.Tests;

public sealed class GeneratorTests
{
    [Fact]
    public void Generate_FromCommittedLayouts_EqualsCommittedGeneratedCode()
    {
        var layouts = Directory.GetFiles(RepoPaths.Layouts, "*.layout.txt")
            .Select(p => (Path.GetFileName(p)[..^".layout.txt".Length], File.ReadAllText(p)))
            .ToList();
        Assert.Equal(4, layouts.Count);

        var generated = ProtocolGenerator.Generate(layouts);

        var committed = Directory.GetFiles(RepoPaths.Messages, "*.g.cs").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(committed, generated.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, text) in generated)
        {
            // A difference means the schema or generator changed without running scripts/regen-protocol.sh.
            Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Messages, name)), text);
        }
    }

    [Fact]
    public void Generate_StructWithDefaultValue_IsRejected()
    {
        const string layout = "# x.capnp\n@0xabcdefabcdefabcd;\nstruct S @0x1111111111111111 {  # 8 bytes, 0 ptrs\n  a @0 :UInt32 = 5;  # bits[0, 32)\n}\n";
        Assert.Throws<InvalidDataException>(() => ProtocolGenerator.Generate([("x", layout)]));
    }

    [Fact]
    public void Generate_UnknownType_IsRejected()
    {
        const string layout = "# x.capnp\n@0xabcdefabcdefabcd;\nstruct S @0x1111111111111111 {  # 0 bytes, 1 ptrs\n  a @0 :Missing;  # ptr[0]\n}\n";
        Assert.Throws<InvalidDataException>(() => ProtocolGenerator.Generate([("x", layout)]));
    }

    [Fact]
    public void FileName_IsPascalCaseOfSchemaName() =>
        Assert.Equal("ObjectStorage.g.cs", ProtocolGenerator.FileName("object_storage"));
}
