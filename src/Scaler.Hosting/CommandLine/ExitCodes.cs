namespace Scaler.Hosting.CommandLine;

/// <summary>Process exit codes shared by every tool.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The tool ran and failed, or found nothing to do.</summary>
    public const int Failure = 1;

    /// <summary>The command line or configuration was wrong (argparse uses 2 for this too).</summary>
    public const int UsageError = 2;

    /// <summary>
    /// An address given cannot be used: a port in use, an address not on this machine, a host name that does not
    /// resolve. The same code as <see cref="UsageError"/>: the fix is in the command line or the file.
    /// </summary>
    public const int AddressUnusable = 2;
}
