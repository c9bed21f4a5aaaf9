namespace Scaler.Hosting.CommandLine;

/// <summary>Process exit codes shared by every tool.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The tool ran and failed, or found nothing to do.</summary>
    public const int Failure = 1;

    /// <summary>The command line or configuration was wrong (argparse uses 2 for this too).</summary>
    public const int UsageError = 2;
}
