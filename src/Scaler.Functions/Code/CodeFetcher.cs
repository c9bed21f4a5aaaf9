namespace Scaler.Functions;

/// <summary>
/// Run side: fetches the bytes of a code assembly (by its hash) from wherever the client stored them. The executor
/// checks the SHA-256 of what comes back.
/// </summary>
public delegate ValueTask<ReadOnlyMemory<byte>> CodeFetcher(CodeAssemblyReference assembly, CancellationToken cancellationToken);
