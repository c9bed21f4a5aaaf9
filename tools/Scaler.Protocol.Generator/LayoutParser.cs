using System.Globalization;
using System.Text.RegularExpressions;

namespace Scaler.Protocol.Generator;

/// <summary>
/// Reads the text printed by <c>capnp compile -ocapnp</c>: the schema with every field annotated with its exact
/// position (<c># bits[0, 64)</c>, <c># ptr[1]</c>, <c># 8 bytes, 3 ptrs</c>, <c>union tag = N</c>).
/// </summary>
public static partial class LayoutParser
{
    [GeneratedRegex(@"^struct (\w+) @0x[0-9a-f]+ \{\s+# (\d+) bytes, (\d+) ptrs$")]
    private static partial Regex StructLine();

    [GeneratedRegex(@"^enum (\w+) @0x[0-9a-f]+ \{$")]
    private static partial Regex EnumLine();

    [GeneratedRegex(@"^union \{\s+# tag bits \[(\d+), (\d+)\)$")]
    private static partial Regex UnionLine();

    [GeneratedRegex(@"^(\w+) @(\d+) :(.+);\s+# (?:bits\[(\d+), (\d+)\)|ptr\[(\d+)\])(?:, union tag = (\d+))?$")]
    private static partial Regex FieldLine();

    [GeneratedRegex(@"^(\w+) @(\d+);$")]
    private static partial Regex EnumMemberLine();

    public static SchemaFile Parse(string name, string layout)
    {
        var file = new SchemaFile(name);
        var scopes = new Stack<object>();
        var lineNumber = 0;
        foreach (var rawLine in layout.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#') || (line.StartsWith("@0x", StringComparison.Ordinal) && line.EndsWith(';')))
            {
                continue;
            }

            var parent = scopes.Count > 0 ? scopes.Peek() : null;
            Match match;
            if ((match = StructLine().Match(line)).Success)
            {
                var bytes = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
                var declaration = new StructDeclaration(
                    match.Groups[1].Value, file, parent as StructDeclaration, bytes / 8,
                    int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
                Add(file, parent, declaration, lineNumber);
                scopes.Push(declaration);
            }
            else if ((match = EnumLine().Match(line)).Success)
            {
                var declaration = new EnumDeclaration(match.Groups[1].Value, file, parent as StructDeclaration);
                Add(file, parent, declaration, lineNumber);
                scopes.Push(declaration);
            }
            else if ((match = UnionLine().Match(line)).Success)
            {
                var owner = parent as StructDeclaration ?? throw Error(name, lineNumber, "union outside a struct");
                owner.UnionTagBit = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                scopes.Push("union");
            }
            else if ((match = FieldLine().Match(line)).Success)
            {
                var owner = (parent is "union" ? scopes.ElementAt(1) : parent) as StructDeclaration
                    ?? throw Error(name, lineNumber, "field outside a struct");
                var typeText = match.Groups[3].Value;
                if (typeText.Contains(" = ", StringComparison.Ordinal))
                {
                    throw Error(name, lineNumber, "default values are not supported by this generator");
                }

                owner.Fields.Add(new FieldDeclaration(
                    match.Groups[1].Value, Number(match.Groups[2]), typeText,
                    match.Groups[4].Success ? Number(match.Groups[4]) : null,
                    match.Groups[6].Success ? Number(match.Groups[6]) : null,
                    match.Groups[7].Success ? Number(match.Groups[7]) : null));
            }
            else if ((match = EnumMemberLine().Match(line)).Success && parent is EnumDeclaration enumeration)
            {
                enumeration.Members.Add((match.Groups[1].Value, Number(match.Groups[2])));
            }
            else if (line == "}")
            {
                if (scopes.Count == 0)
                {
                    throw Error(name, lineNumber, "unbalanced '}'");
                }

                scopes.Pop();
            }
            else
            {
                throw Error(name, lineNumber, $"unrecognised layout line '{line}'");
            }
        }

        return file;
    }

    private static int Number(Group group) => int.Parse(group.Value, CultureInfo.InvariantCulture);

    private static void Add(SchemaFile file, object? parent, Declaration declaration, int lineNumber)
    {
        switch (parent)
        {
            case null:
                file.Declarations.Add(declaration);
                break;
            case StructDeclaration owner:
                owner.Nested.Add(declaration);
                break;
            default:
                throw Error(file.Name, lineNumber, "declaration nested in an enum or union");
        }
    }

    private static InvalidDataException Error(string file, int line, string what) => new($"{file}.layout.txt line {line}: {what}");
}
