namespace Scaler.Benchmarks.Suite;

/// <summary>One row of the suite's table: a median of Scaler.NET and, when measured, of Dask.</summary>
public sealed record Figure(string Workload, string Name, string Unit, double? Scaler, double? Dask, string Target, bool HigherIsBetter)
{
    /// <summary>Scaler.NET / Dask for figures where higher is better, Dask / Scaler.NET otherwise (so &gt; 1 means Scaler.NET wins).</summary>
    public double? Ratio => Scaler is { } s && Dask is { } d && s > 0 && d > 0 ? (HigherIsBetter ? s / d : d / s) : null;
}
