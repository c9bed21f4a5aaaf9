namespace Scaler.Functions;

/// <summary>
/// A function declared to return <c>Task</c>, <c>Task&lt;T&gt;</c>, <c>ValueTask</c> or <c>ValueTask&lt;T&gt;</c> is awaited on
/// the run side; its result object holds the <c>T</c> (or nothing).
/// </summary>
internal static class AsyncResults
{
    /// <summary>The type the result object is written with; <see cref="void"/> when there is no value.</summary>
    public static Type ResultType(Type declared)
    {
        if (declared == typeof(Task) || declared == typeof(ValueTask))
        {
            return typeof(void);
        }

        if (declared.IsConstructedGenericType)
        {
            var definition = declared.GetGenericTypeDefinition();
            if (definition == typeof(Task<>) || definition == typeof(ValueTask<>))
            {
                return declared.GetGenericArguments()[0];
            }
        }

        return declared;
    }

    public static async ValueTask<object?> UnwrapAsync(object? returned, Type declared)
    {
        var resultType = ResultType(declared);
        if (resultType == declared)
        {
            return returned;
        }

        Task task = returned switch
        {
            Task t => t,
            ValueTask v => v.AsTask(),
            null => throw new InvalidOperationException($"the function returned a null {TypeNames.Display(declared)}"),
            // A boxed ValueTask<T>: convert through its own AsTask so no generic code is needed here.
            _ => (Task)declared.GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(returned, null)!,
        };
        await task.ConfigureAwait(false);
        return resultType == typeof(void) ? null : task.GetType().GetProperty(nameof(Task<int>.Result))!.GetValue(task);
    }
}
