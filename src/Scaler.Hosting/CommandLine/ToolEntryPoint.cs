using Microsoft.Extensions.Logging;

namespace Scaler.Hosting.CommandLine;

/// <summary>
/// Runs a tool once its options are bound and logging is set up. <paramref name="shutdown"/> is cancelled on Ctrl-C or
/// SIGTERM; a tool that then stops cleanly returns 0.
/// </summary>
public delegate Task<int> ToolEntryPoint<in TOptions>(TOptions options, ILoggerFactory loggerFactory, CancellationToken shutdown);
