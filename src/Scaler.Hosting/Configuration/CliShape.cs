namespace Scaler.Hosting.Configuration;

/// <summary>How many command-line tokens an option takes.</summary>
internal enum CliShape
{
    /// <summary>Exactly one token: <c>--io-threads 4</c>.</summary>
    Single,

    /// <summary>No token means true; one token may say true or false: <c>--protected</c>.</summary>
    Flag,

    /// <summary>Any number of tokens: <c>--logging-paths a b</c>.</summary>
    List,
}
