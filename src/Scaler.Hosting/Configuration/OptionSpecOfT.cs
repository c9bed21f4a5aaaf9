using System.CommandLine;
using System.CommandLine.Parsing;

namespace Scaler.Hosting.Configuration;

/// <summary>An option whose value has type <typeparamref name="T"/>.</summary>
public sealed class OptionSpec<T> : OptionSpec
{
    private readonly T _default = default!;
    private readonly bool _hasDefault;

    public OptionSpec(string key, OptionValueType<T> type, string help)
        : base(key, help)
    {
        ArgumentNullException.ThrowIfNull(type);
        Type = type;
    }

    public OptionValueType<T> Type { get; }

    /// <summary>The value used when neither the command line nor TOML gives one.</summary>
    public T Default
    {
        get => _default;
        init
        {
            _default = value;
            _hasDefault = true;
        }
    }

    /// <summary>A rule the final value must satisfy: returns an error message, or null when it is fine.</summary>
    public Func<T, string?>? Validate { get; init; }

    public override string TypeName => Type.DisplayName;

    public override string? DefaultText => _hasDefault && _default is not null ? Type.Format(_default) : null;

    internal override bool HasDefault => _hasDefault;

    internal override object? DefaultBoxed => _default;

    internal override Symbol CreateSymbol()
    {
        var description = DefaultText is { } text && text.Length > 0 ? $"{Help} (default: {text})" : Help;
        if (Positional)
        {
            // Positionals may be omitted on the command line when the TOML file gives them; the binder reports a
            // missing one after merging, naming both places it can come from.
            return new Argument<T>(Key)
            {
                Description = description,
                Arity = ArgumentArity.ZeroOrOne,
                CustomParser = Parse,
            };
        }

        var option = new Option<T>(LongFlag, ShortAlias is null ? [] : [ShortAlias])
        {
            Description = description,
            CustomParser = Parse,
            HelpName = Type.Shape switch
            {
                CliShape.Flag => null,
                CliShape.List => "value ...",
                _ when Type.Choices is { } choices => string.Join('|', choices),
                _ => Type.DisplayName.Split(' ')[0],
            },
        };
        switch (Type.Shape)
        {
            case CliShape.Flag:
                option.Arity = ArgumentArity.ZeroOrOne;
                break;
            case CliShape.List:
                option.Arity = ArgumentArity.ZeroOrMore;
                option.AllowMultipleArgumentsPerToken = true;
                break;
            default:
                option.Arity = ArgumentArity.ExactlyOne;
                break;
        }

        return option;
    }

    internal override bool TryReadCommandLine(ParseResult parseResult, Symbol symbol, out object? value)
    {
        switch (symbol)
        {
            case Argument<T> argument when parseResult.GetResult(argument) is { Tokens.Count: > 0 }:
                value = parseResult.GetValue(argument);
                return true;
            case Option<T> option when parseResult.GetResult(option) is { Implicit: false }:
                value = parseResult.GetValue(option);
                return true;
            default:
                value = null;
                return false;
        }
    }

    internal override object? ConvertToml(object tomlValue) => Type.FromToml(tomlValue);

    internal override string? Check(object? value) => Validate is { } validate && value is T typed ? validate(typed) : null;

    private T Parse(ArgumentResult result)
    {
        var tokens = result.Tokens.Select(t => t.Value).ToArray();
        try
        {
            return Type.ParseTokens(tokens);
        }
        catch (FormatException e)
        {
            result.AddError($"invalid value '{string.Join(' ', tokens)}' for {DisplayName}: {e.Message}");
            return default!;
        }
    }
}
