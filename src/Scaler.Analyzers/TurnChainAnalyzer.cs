using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Scaler.Analyzers;

/// <summary>
/// Checks the turn chain (Scaler.IO.Threading.TurnContext): in a method marked <c>[TurnChain]</c> no await may leave
/// the turn (SCALER0001), and a method that uses a turn idiom must be marked (SCALER0002).
/// </summary>
/// <remarks>
/// Why an analyzer: a <c>ConfigureAwait(false)</c> that breaks the chain changes no result, only which thread runs the
/// rest of the chain, so no functional test can see it; the cost shows only in benchmarks, long after the change.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TurnChainAnalyzer : DiagnosticAnalyzer
{
    public const string LeavesTheTurnId = "SCALER0001";
    public const string UnmarkedLinkId = "SCALER0002";

    private const string AttributeName = "Scaler.IO.Threading.TurnChainAttribute";
    private const string TurnContextName = "Scaler.IO.Threading.TurnContext";

    private static readonly DiagnosticDescriptor LeavesTheTurn = new(
        LeavesTheTurnId,
        "An await in a turn chain leaves the turn",
        "'{0}' in [TurnChain] method '{1}' may resume off the turn: use ConfigureAwait(TurnContext.IsCurrent), or ConfigureAwait(true) in a loop that switched to the context",
        "Scaler.Threading",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A method marked [TurnChain] must resume every await in the turn that completed it; any other ConfigureAwait argument sends the rest of the chain to the thread pool.");

    private static readonly DiagnosticDescriptor UnmarkedLink = new(
        UnmarkedLinkId,
        "A link of the turn chain is not marked",
        "'{0}' is a link of the turn chain: mark '{1}' with [TurnChain] so its awaits are checked",
        "Scaler.Threading",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Code that awaits with ConfigureAwait(TurnContext.IsCurrent) or awaits TurnContext.SwitchTo() is on the turn chain; the mark is what lets SCALER0001 check its other awaits.");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(LeavesTheTurn, UnmarkedLink);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var attribute = start.Compilation.GetTypeByMetadataName(AttributeName);
            var turnContext = start.Compilation.GetTypeByMetadataName(TurnContextName);
            if (attribute is null || turnContext is null)
            {
                // A project that cannot see Scaler.IO has no turn chain.
                return;
            }

            start.RegisterOperationAction(c => AnalyzeInvocation(c, attribute, turnContext), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, INamedTypeSymbol attribute, INamedTypeSymbol turnContext)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.Name == "ConfigureAwait" && invocation.Arguments.Length == 1)
        {
            var argument = invocation.Arguments[0].Value;
            var staysOnContext = IsTurnContextIsCurrent(argument, turnContext);
            var enclosing = FindEnclosing(invocation.Syntax, context.Operation.SemanticModel!, attribute, context.CancellationToken);
            if (enclosing.Marked is { } marked)
            {
                if (!staysOnContext && !IsTrue(argument))
                {
                    context.ReportDiagnostic(Diagnostic.Create(LeavesTheTurn, argument.Syntax.GetLocation(), invocation.Syntax.ToString(), marked.Name));
                }
            }
            else if (staysOnContext && enclosing.Nearest is { } nearest)
            {
                context.ReportDiagnostic(Diagnostic.Create(UnmarkedLink, invocation.Syntax.GetLocation(), invocation.Syntax.ToString(), nearest.Name));
            }

            return;
        }

        if (method.Name == "SwitchTo" && SymbolEqualityComparer.Default.Equals(method.ContainingType, turnContext))
        {
            var enclosing = FindEnclosing(invocation.Syntax, context.Operation.SemanticModel!, attribute, context.CancellationToken);
            if (enclosing.Marked is null && enclosing.Nearest is { } nearest)
            {
                context.ReportDiagnostic(Diagnostic.Create(UnmarkedLink, invocation.Syntax.GetLocation(), invocation.Syntax.ToString(), nearest.Name));
            }
        }
    }

    /// <summary>
    /// The nearest enclosing method or local function, and the nearest one marked [TurnChain] (a lambda or local
    /// function inside a marked method is part of its chain: it usually runs as a step of it).
    /// </summary>
    private static (IMethodSymbol? Nearest, IMethodSymbol? Marked) FindEnclosing(
        SyntaxNode node, SemanticModel model, INamedTypeSymbol attribute, CancellationToken cancellationToken)
    {
        IMethodSymbol? nearest = null;
        for (var current = node.Parent; current is not null; current = current.Parent)
        {
            if (current is not (MethodDeclarationSyntax or LocalFunctionStatementSyntax))
            {
                continue;
            }

            if (model.GetDeclaredSymbol(current, cancellationToken) is not IMethodSymbol symbol)
            {
                continue;
            }

            nearest ??= symbol;
            if (symbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute)))
            {
                return (nearest, symbol);
            }
        }

        return (nearest, null);
    }

    private static bool IsTurnContextIsCurrent(IOperation argument, INamedTypeSymbol turnContext) =>
        Unwrap(argument) is IPropertyReferenceOperation { Property.Name: "IsCurrent" } property
        && SymbolEqualityComparer.Default.Equals(property.Property.ContainingType, turnContext);

    private static bool IsTrue(IOperation argument) =>
        Unwrap(argument) is ILiteralOperation { ConstantValue: { HasValue: true, Value: true } };

    private static IOperation Unwrap(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }
}
