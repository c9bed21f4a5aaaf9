using System.CommandLine;

namespace Scaler.Hosting.CommandLine;

/// <summary>Prints usage errors the same way whether System.CommandLine or our binding found them.</summary>
internal static class UsageErrors
{
    public static int Report(ParseResult parseResult, IEnumerable<string> messages, TextWriter error)
    {
        foreach (var message in messages)
        {
            error.WriteLine($"error: {message}");
        }

        error.WriteLine();
        WriteHelp(parseResult, error);
        return ExitCodes.UsageError;
    }

    /// <summary>Writes the help of the command the user was running (its usage line, arguments and options).</summary>
    private static void WriteHelp(ParseResult parseResult, TextWriter writer)
    {
        var path = new List<string>();
        for (var result = parseResult.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            path.Insert(0, result.Command.Name);
        }

        path.Add("--help");
        var root = parseResult.RootCommandResult.Command;
        root.Parse(path).Invoke(new InvocationConfiguration { Output = writer, Error = writer });
    }
}
