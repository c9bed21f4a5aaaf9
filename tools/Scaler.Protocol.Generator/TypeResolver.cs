using System.Text.RegularExpressions;

namespace Scaler.Protocol.Generator;

/// <summary>Resolves the type text of every field (<c>List(import "/common.capnp".TaskCapability)</c>) to a declaration.</summary>
public static partial class TypeResolver
{
    [GeneratedRegex("^import \"/(\\w+)\\.capnp\"\\.(.+)$")]
    private static partial Regex ImportType();

    public static void Resolve(IReadOnlyList<SchemaFile> files)
    {
        foreach (var file in files)
        {
            foreach (var structure in AllStructs(file.Declarations))
            {
                foreach (var field in structure.Fields)
                {
                    field.Type = Parse(field.TypeText, structure, files);
                }
            }
        }
    }

    public static IEnumerable<StructDeclaration> AllStructs(IEnumerable<Declaration> declarations)
    {
        foreach (var declaration in declarations)
        {
            if (declaration is StructDeclaration structure)
            {
                yield return structure;
                foreach (var nested in AllStructs(structure.Nested))
                {
                    yield return nested;
                }
            }
        }
    }

    public static IEnumerable<EnumDeclaration> AllEnums(IEnumerable<Declaration> declarations)
    {
        foreach (var declaration in declarations)
        {
            if (declaration is EnumDeclaration enumeration)
            {
                yield return enumeration;
            }
            else if (declaration is StructDeclaration structure)
            {
                foreach (var nested in AllEnums(structure.Nested))
                {
                    yield return nested;
                }
            }
        }
    }

    private static SchemaType Parse(string text, StructDeclaration scope, IReadOnlyList<SchemaFile> files)
    {
        if (text.StartsWith("List(", StringComparison.Ordinal) && text.EndsWith(')'))
        {
            return new SchemaType(TypeKind.List, Parse(text[5..^1], scope, files));
        }

        if (Enum.TryParse<TypeKind>(text, out var primitive) && primitive < TypeKind.List)
        {
            return new SchemaType(primitive);
        }

        Declaration declaration;
        var import = ImportType().Match(text);
        if (import.Success)
        {
            var file = files.FirstOrDefault(f => f.Name == import.Groups[1].Value)
                ?? throw new InvalidDataException($"type '{text}' imports a file that is not part of the schema");
            declaration = Descend(file.Declarations, import.Groups[2].Value.Split('.'), text);
        }
        else
        {
            declaration = Lookup(text.Split('.'), scope, text);
        }

        return new SchemaType(declaration is EnumDeclaration ? TypeKind.Enum : TypeKind.Struct, null, declaration);
    }

    private static Declaration Lookup(string[] path, StructDeclaration scope, string text)
    {
        for (StructDeclaration? current = scope; current is not null; current = current.Parent)
        {
            if (current.Nested.Any(d => d.Name == path[0]))
            {
                return Descend(current.Nested, path, text);
            }
        }

        return Descend(scope.File.Declarations, path, text);
    }

    private static Declaration Descend(IEnumerable<Declaration> declarations, string[] path, string text)
    {
        var found = declarations.FirstOrDefault(d => d.Name == path[0])
            ?? throw new InvalidDataException($"type '{text}' is not declared");
        if (path.Length == 1)
        {
            return found;
        }

        return found is StructDeclaration structure
            ? Descend(structure.Nested, path[1..], text)
            : throw new InvalidDataException($"type '{text}' descends into an enum");
    }
}
