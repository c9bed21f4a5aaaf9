using Scaler.Hosting.Options;

namespace Scaler.Hosting.Sections;

/// <summary>
/// One <c>[[worker_manager]]</c> entry. <see cref="Type"/> is its <c>type</c> key and the sub-command of
/// <c>scaler_worker_manager</c>; each type adds its own options in a derived record.
/// </summary>
public abstract record WorkerManagerOptions(
    string Type,
    WorkerManagerCommonOptions Manager,
    WorkerOptions Worker,
    LoggingOptions Logging);
