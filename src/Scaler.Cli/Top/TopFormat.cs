using System.Globalization;

namespace Scaler.Cli.Top;

/// <summary>How <c>scaler_top</c> writes numbers: the same units and rounding steps as the reference's top.</summary>
internal static class TopFormat
{
    private const double StorageStep = 1024.0;
    private const ulong TimeStep = 1000;
    private static readonly string[] StorageUnits = ["B", "K", "M", "G", "T"];

    /// <summary>1023 → "1023B", 2048 → "2K", 5·2^20 → "5.0M": whole numbers up to K, one decimal from M on.</summary>
    public static string Bytes(ulong bytes)
    {
        double value = bytes;
        var unit = 0;
        while (value >= StorageStep && unit < StorageUnits.Length - 1)
        {
            value /= StorageStep;
            unit++;
        }

        return unit <= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)value}{StorageUnits[unit]}")
            : string.Create(CultureInfo.InvariantCulture, $"{value:F1}{StorageUnits[unit]}");
    }

    /// <summary>Thousands separated by commas: 1234567 → "1,234,567".</summary>
    public static string Integer(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>CPU in thousandths (as the scheduler reports it) as a percentage: 125 → "12.5%".</summary>
    public static string Percentage(ulong thousandths) =>
        (thousandths / 1000.0).ToString("0.0%", CultureInfo.InvariantCulture);

    /// <summary>Below 1 ms as a decimal of ms ("0.5ms"), then whole ms, then whole seconds ("+" past 1000 s).</summary>
    public static string Microseconds(ulong microseconds)
    {
        if (microseconds < TimeStep)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{microseconds / 1000.0:F1}ms");
        }

        var milliseconds = microseconds / TimeStep;
        if (milliseconds < TimeStep)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{milliseconds}ms");
        }

        var seconds = milliseconds / TimeStep;
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}{(seconds > TimeStep ? "+" : "")}s");
    }

    /// <summary>"42s", "2m5s", "3m", "1h2m", "4h".</summary>
    public static string Seconds(long seconds)
    {
        if (seconds < 60)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{seconds}s");
        }

        var (minutes, restSeconds) = Math.DivRem(seconds, 60);
        if (minutes < 60)
        {
            return restSeconds == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{minutes}m")
                : string.Create(CultureInfo.InvariantCulture, $"{minutes}m{restSeconds}s");
        }

        var (hours, restMinutes) = Math.DivRem(minutes, 60);
        return restMinutes == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours}h")
            : string.Create(CultureInfo.InvariantCulture, $"{hours}h{restMinutes}m");
    }

    /// <summary>A rate per second: "-" when unknown, one decimal below 100 ("2.5"), then whole with commas ("1,234").</summary>
    public static string Rate(double? perSecond) => perSecond switch
    {
        null => "-",
        < 100 => perSecond.Value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => Math.Round(perSecond.Value).ToString("N0", CultureInfo.InvariantCulture),
    };

    /// <summary>Keeps the first <paramref name="length"/> characters and marks the cut with "+"; 0 means no limit.</summary>
    public static string Truncate(string text, int length)
    {
        ArgumentNullException.ThrowIfNull(text);
        return length <= 0 || text.Length <= length ? text : string.Concat(text.AsSpan(0, length), "+");
    }
}
