using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Scaler.Analyzers;
using Scaler.IO.Threading;

namespace Scaler.Analyzers.Tests;

/// <summary>
/// <see cref="TurnChainAnalyzer"/> on small programs shaped like the real links of the chain (a library call that
/// awaits the transport, a loop that switched to the context): it fires where an await may leave the turn, and only there.
/// </summary>
public sealed class TurnChainAnalyzerTests
{
    private const string Usings = """
        using System.Threading;
        using System.Threading.Tasks;
        using Scaler.IO.Threading;

        """;

    [Fact]
    public async Task ConfigureAwaitFalse_InAMarkedMethod_IsAnError()
    {
        var diagnostics = await AnalyzeAsync("""
            public sealed class Storage
            {
                [TurnChain]
                public async Task<int> GetAsync(Task<int> answer)
                {
                    var limit = await answer.ConfigureAwait(TurnContext.IsCurrent);
                    return limit + await answer.ConfigureAwait(false);
                }
            }
            """);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(TurnChainAnalyzer.LeavesTheTurnId, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("false", diagnostic.Location.SourceTree!.ToString()[diagnostic.Location.SourceSpan.Start..diagnostic.Location.SourceSpan.End]);
        Assert.Contains("GetAsync", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IsCurrentAndTrue_InAMarkedMethod_AreAccepted()
    {
        var diagnostics = await AnalyzeAsync("""
            public sealed class Loop
            {
                [TurnChain]
                public async Task RunAsync(Task<bool> more, ValueTask step)
                {
                    await TurnContext.SwitchTo();
                    while (await more.ConfigureAwait(true))
                    {
                        await step.ConfigureAwait(TurnContext.IsCurrent);
                    }
                }
            }
            """);

        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("flag")]
    [InlineData("!TurnContext.IsCurrent")]
    [InlineData("TurnContext.InTurn")]
    [InlineData("ConfigureAwaitOptions.None")]
    public async Task AnyOtherArgument_InAMarkedMethod_IsAnError(string argument)
    {
        var diagnostics = await AnalyzeAsync($$"""
            public sealed class Storage
            {
                [TurnChain]
                public async Task GetAsync(Task answer, bool flag) => await answer.ConfigureAwait({{argument}});
            }
            """);

        Assert.Equal(TurnChainAnalyzer.LeavesTheTurnId, Assert.Single(diagnostics).Id);
    }

    [Fact]
    public async Task ALambdaOrLocalFunction_InsideAMarkedMethod_IsChecked()
    {
        var diagnostics = await AnalyzeAsync("""
            public sealed class Storage
            {
                [TurnChain]
                public async Task GetAsync(Task answer)
                {
                    System.Func<Task> step = async () => await answer.ConfigureAwait(false);
                    await step().ConfigureAwait(TurnContext.IsCurrent);
                    await Local().ConfigureAwait(TurnContext.IsCurrent);

                    async Task Local() => await answer.ConfigureAwait(false);
                }
            }
            """);

        Assert.Equal(2, diagnostics.Length);
        Assert.All(diagnostics, d => Assert.Equal(TurnChainAnalyzer.LeavesTheTurnId, d.Id));
    }

    [Fact]
    public async Task AMarkedLocalFunction_IsChecked_AndItsUnmarkedHostIsNot()
    {
        var diagnostics = await AnalyzeAsync("""
            public sealed class Host
            {
                public async Task RunAsync(Task answer)
                {
                    await answer.ConfigureAwait(false);
                    await Loop().ConfigureAwait(false);

                    [TurnChain]
                    async Task Loop() => await answer.ConfigureAwait(false);
                }
            }
            """);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(TurnChainAnalyzer.LeavesTheTurnId, diagnostic.Id);
        Assert.Contains("Loop", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigureAwaitFalse_OutsideTheChain_IsOrdinaryLibraryCode()
    {
        var diagnostics = await AnalyzeAsync("""
            public sealed class Library
            {
                public async Task<int> ReadAsync(Task<int> answer) => await answer.ConfigureAwait(false);
            }
            """);

        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("await answer.ConfigureAwait(TurnContext.IsCurrent);")]
    [InlineData("await TurnContext.SwitchTo();")]
    public async Task ATurnIdiom_InAnUnmarkedMethod_IsAnError(string statement)
    {
        var diagnostics = await AnalyzeAsync($$"""
            public sealed class Storage
            {
                public async Task GetAsync(Task answer)
                {
                    {{statement}}
                }
            }
            """);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(TurnChainAnalyzer.UnmarkedLinkId, diagnostic.Id);
        Assert.Contains("GetAsync", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source)
    {
        // The test host's own assemblies (the runtime and Scaler.IO among them) are the probe's references.
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path))
            .ToList();
        Assert.Contains(references, r => r.FilePath == typeof(TurnContext).Assembly.Location);

        var compilation = CSharpCompilation.Create(
            "Probe",
            [CSharpSyntaxTree.ParseText(Usings + source, new CSharpParseOptions(LanguageVersion.Latest))],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        // A probe that does not compile would prove nothing about the rule.
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return await compilation.WithAnalyzers([new TurnChainAnalyzer()]).GetAnalyzerDiagnosticsAsync();
    }
}
