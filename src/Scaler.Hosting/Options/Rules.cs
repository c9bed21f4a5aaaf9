namespace Scaler.Hosting.Options;

/// <summary>Small value rules shared by option specs; each returns an error message or null.</summary>
internal static class Rules
{
    public static string? Positive(int value) => value > 0 ? null : $"must be positive, got {value}";

    public static string? Positive(long value) => value > 0 ? null : $"must be positive, got {value}";

    public static string? NotNegative(int value) => value >= 0 ? null : $"must not be negative, got {value}";

    public static string? NotNegative(long value) => value >= 0 ? null : $"must not be negative, got {value}";

    public static string? MinusOneOrMore(int value) => value >= -1 ? null : $"must be -1 (no limit) or not negative, got {value}";

    public static string? PositiveDuration(TimeSpan value) => value > TimeSpan.Zero ? null : $"must be a positive number of seconds, got {value.TotalSeconds}";

    public static string? NotEmpty(string value) => value.Length > 0 ? null : "must not be empty";
}
