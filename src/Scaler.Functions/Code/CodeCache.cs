using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using System.Security.Cryptography;

namespace Scaler.Functions;

/// <summary>
/// Run side: turns the code assemblies a function names into a load context to resolve it in. An assembly the
/// default context already has in the exact build (same name and MVID) is used as is; the others are fetched once
/// by hash, checked, and loaded into a dedicated context per distinct set. Contexts live as long as the cache (they
/// cannot be unloaded), so one cache should serve a whole worker process.
/// </summary>
// SemaphoreSlim only needs disposing when its AvailableWaitHandle was used, which it never is here.
#pragma warning disable CA1001
public sealed class CodeCache
#pragma warning restore CA1001
{
    private readonly ConcurrentDictionary<string, AssemblyLoadContext> _bySet = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _bytesByHash = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private int _fetchCount;

    /// <summary>How many assemblies were fetched through a <see cref="CodeFetcher"/> (diagnostics and tests).</summary>
    public int FetchCount => Volatile.Read(ref _fetchCount);

    /// <summary>How many dedicated load contexts were created.</summary>
    public int LoadContextCount => _bySet.Values.OfType<ShippedCodeLoadContext>().Distinct().Count();

    internal async ValueTask<AssemblyLoadContext> GetLoadContextAsync(
        IReadOnlyList<CodeAssemblyReference> code, CodeFetcher fetch, CancellationToken cancellationToken)
    {
        var setKey = SetKey(code);
        if (_bySet.TryGetValue(setKey, out var known))
        {
            return known;
        }

        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_bySet.TryGetValue(setKey, out known))
            {
                return known;
            }

            var missing = code.Where(c => !IsInDefaultContext(c)).ToArray();
            AssemblyLoadContext context;
            var missingKey = SetKey(missing);
            if (missing.Length == 0)
            {
                context = AssemblyLoadContext.Default;
            }
            else if (!_bySet.TryGetValue("shipped:" + missingKey, out context!))
            {
                var duplicate = missing.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
                if (duplicate is not null)
                {
                    throw new FunctionLoadException($"the function names two different builds of assembly '{duplicate.Key}'");
                }

                var loaded = new List<(CodeAssemblyReference, byte[])>(missing.Length);
                foreach (var reference in missing)
                {
                    loaded.Add((reference, await GetBytesAsync(reference, fetch, cancellationToken).ConfigureAwait(false)));
                }

                context = new ShippedCodeLoadContext("scaler-code-" + missingKey[..Math.Min(16, missingKey.Length)], loaded);
                _bySet["shipped:" + missingKey] = context;
            }

            _bySet[setKey] = context;
            return context;
        }
        finally
        {
            _loading.Release();
        }
    }

    private async ValueTask<byte[]> GetBytesAsync(CodeAssemblyReference reference, CodeFetcher fetch, CancellationToken cancellationToken)
    {
        if (_bytesByHash.TryGetValue(reference.Sha256Hex, out var cached))
        {
            return cached;
        }

        ReadOnlyMemory<byte> fetched;
        try
        {
            fetched = await fetch(reference, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new FunctionLoadException($"code assembly {reference} could not be fetched: {e.Message}", e);
        }

        Interlocked.Increment(ref _fetchCount);
        var actual = Convert.ToHexStringLower(SHA256.HashData(fetched.Span));
        if (!string.Equals(actual, reference.Sha256Hex, StringComparison.Ordinal))
        {
            throw new FunctionLoadException($"code assembly {reference} was fetched, but its bytes hash to sha256 {actual}");
        }

        var bytes = fetched.ToArray();
        _bytesByHash[reference.Sha256Hex] = bytes;
        return bytes;
    }

    private static bool IsInDefaultContext(CodeAssemblyReference reference)
    {
        foreach (var assembly in AssemblyLoadContext.Default.Assemblies)
        {
            if (!assembly.IsDynamic
                && string.Equals(assembly.GetName().Name, reference.Name, StringComparison.OrdinalIgnoreCase)
                && assembly.ManifestModule.ModuleVersionId == reference.Mvid)
            {
                return true;
            }
        }

        return false;
    }

    private static string SetKey(IEnumerable<CodeAssemblyReference> code) =>
        string.Join(",", code.Select(c => c.Sha256Hex).Order(StringComparer.Ordinal));
}
