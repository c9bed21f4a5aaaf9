using System.Collections.Concurrent;
using System.Reflection;

namespace Scaler.Functions;

/// <summary>
/// Run side: runs one task from its objects (serializer, function, arguments) and returns what to store as its
/// result object. Every problem with the task itself (the user's exception, a serializer this side cannot run,
/// missing code, a malformed object, an argument or result that does not (de)serialize, a failed code fetch)
/// becomes a failed <see cref="TaskOutcome"/>; the only exception that leaves is cancellation of
/// <c>cancellationToken</c>.
/// </summary>
public sealed class TaskExecutor
{
    private const int MaxCachedObjects = 1024;

    // Keyed by the objects' bytes: every task of a map carries the same function and serializer objects, and a lookup
    // by content (one fast hash, one comparison) is much cheaper than decoding or hashing them again.
    private readonly ConcurrentDictionary<byte[], ResolvedFunction> _functions = new(ByteContentComparer.Instance);
    private readonly ConcurrentDictionary<byte[], IScalerSerializer> _selectedSerializers = new(ByteContentComparer.Instance);
    private readonly SerializerRegistry _serializers;
    private readonly CodeCache _codeCache;

    public TaskExecutor(SerializerRegistry serializers, CodeCache codeCache)
    {
        ArgumentNullException.ThrowIfNull(serializers);
        ArgumentNullException.ThrowIfNull(codeCache);
        _serializers = serializers;
        _codeCache = codeCache;
    }

    public async ValueTask<TaskOutcome> ExecuteAsync(
        ReadOnlyMemory<byte> serializerObject,
        ReadOnlyMemory<byte> functionObject,
        IReadOnlyList<ReadOnlyMemory<byte>> argumentObjects,
        CodeFetcher fetchCode,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(argumentObjects);
        ArgumentNullException.ThrowIfNull(fetchCode);
        try
        {
            var serializer = SelectSerializer(serializerObject);
            var function = await ResolveAsync(functionObject, fetchCode, cancellationToken).ConfigureAwait(false);
            object? returned;
            using (function.Context.EnterContextualReflection())
            {
                var target = FunctionResolver.CreateTarget(function, serializer);
                var arguments = DeserializeArguments(function, argumentObjects, serializer);
                returned = function.Method.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
            }

            var result = await AsyncResults.UnwrapAsync(returned, function.ReturnType).ConfigureAwait(false);
            return TaskOutcome.Success(SerializeResult(result, AsyncResults.ResultType(function.ReturnType), serializer));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            return TaskOutcome.Failure(RemoteError.FromException(e));
        }
    }

    /// <summary>
    /// Decodes the function object and finds its method, once per distinct function object (a map over many
    /// arguments resolves once). Failures are not cached: the next task tries again.
    /// </summary>
    private async ValueTask<ResolvedFunction> ResolveAsync(ReadOnlyMemory<byte> functionObject, CodeFetcher fetchCode, CancellationToken cancellationToken)
    {
        if (_functions.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(functionObject.Span, out var cached))
        {
            return cached;
        }

        var descriptor = FunctionDescriptorCodec.Decode(functionObject);
        var context = await _codeCache.GetLoadContextAsync(descriptor.Code, fetchCode, cancellationToken).ConfigureAwait(false);
        var function = FunctionResolver.Resolve(descriptor, context);
        if (_functions.Count >= MaxCachedObjects)
        {
            _functions.Clear();
        }

        _functions[functionObject.ToArray()] = function;
        return function;
    }

    private IScalerSerializer SelectSerializer(ReadOnlyMemory<byte> serializerObject)
    {
        if (_selectedSerializers.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(serializerObject.Span, out var cached))
        {
            return cached;
        }

        // Only serializers this side can run are kept: a refused one throws and is asked about again next time.
        var selected = ParseSerializer(serializerObject.Span);
        if (_selectedSerializers.Count >= MaxCachedObjects)
        {
            _selectedSerializers.Clear();
        }

        _selectedSerializers[serializerObject.ToArray()] = selected;
        return selected;
    }

    private IScalerSerializer ParseSerializer(ReadOnlySpan<byte> serializerObject)
    {
        if (!SerializerDescriptor.TryParse(serializerObject, out var descriptor))
        {
            throw new FunctionLoadException(
                $"task was submitted with a serializer this .NET worker cannot run ({SerializerDescriptor.DescribeForeign(serializerObject)}); "
                + "run it on a Python worker");
        }

        if (!_serializers.TryGet(descriptor.FormatId, out var serializer))
        {
            throw new FunctionLoadException(
                $"task was submitted with serializer format '{descriptor.FormatId}' ({descriptor}), which is not registered on this worker "
                + $"(registered: {string.Join(", ", _serializers.FormatIds.Order(StringComparer.Ordinal))})");
        }

        if (serializer.FormatVersion != descriptor.FormatVersion)
        {
            throw new FunctionLoadException(
                $"task was submitted with serializer format '{descriptor.FormatId}' version {descriptor.FormatVersion}; this worker has version {serializer.FormatVersion}");
        }

        return serializer;
    }

    private static object?[] DeserializeArguments(
        ResolvedFunction function, IReadOnlyList<ReadOnlyMemory<byte>> argumentObjects, IScalerSerializer serializer)
    {
        if (argumentObjects.Count != function.ParameterTypes.Length)
        {
            throw new FunctionLoadException(
                $"function {function.Method.Name} takes {function.ParameterTypes.Length} argument(s), but the task carries {argumentObjects.Count}");
        }

        var arguments = new object?[argumentObjects.Count];
        for (var i = 0; i < arguments.Length; i++)
        {
            var type = function.ParameterTypes[i];
            try
            {
                arguments[i] = serializer.Deserialize(argumentObjects[i], type);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new FunctionLoadException($"argument {i} of type {TypeNames.Display(type)} could not be deserialized: {e.Message}", e);
            }
        }

        return arguments;
    }

    private static byte[] SerializeResult(object? result, Type resultType, IScalerSerializer serializer)
    {
        try
        {
            return serializer.Serialize(result, resultType == typeof(void) ? typeof(object) : resultType);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ResultSerializationException(
                $"the function's result of type {TypeNames.Display(resultType)} could not be serialized by the {serializer.FormatId} serializer: {e.Message}", e);
        }
    }
}
