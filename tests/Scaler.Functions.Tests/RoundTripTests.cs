using Scaler.Functions.Tests.Support;

namespace Scaler.Functions.Tests;

public sealed class RoundTripTests
{
    private readonly RemoteRunner _runner = new();

    [Fact]
    public async Task StaticMethod_RunsRemotely()
    {
        Assert.Equal(5, await _runner.RunAsync((Func<int, int, int>)SampleFunctions.Add, 2, 3));
        Assert.Equal("hello ada", await _runner.RunAsync((Func<string, string>)SampleFunctions.Greet, "ada"));
    }

    [Fact]
    public async Task OneExecutor_AlternatingFunctions_RunsEachItsOwnFunction()
    {
        // The executor remembers the last function and serializer it saw; switching back and forth must never reuse the
        // wrong one.
        Func<int, int, int> add = SampleFunctions.Add;
        Func<string, string> greet = SampleFunctions.Greet;
        Func<int, int> square = x => x * x;

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(5 + i, await _runner.RunAsync(add, 2, 3 + i));
            Assert.Equal("hello " + i, await _runner.RunAsync(greet, i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Equal(i * i, await _runner.RunAsync(square, i));
        }
    }

    [Fact]
    public async Task NonCapturingLambda_RunsThroughTheCompilerSingleton()
    {
        Func<int, int> square = x => x * x;
        Assert.NotNull(square.Target); // an instance method on the <>c singleton, not a static method

        Assert.Equal(49, await _runner.RunAsync(square, 7));
    }

    [Fact]
    public async Task FuncWithNoArguments_Runs()
    {
        Func<string> constant = () => "no arguments";
        Assert.Equal("no arguments", await _runner.RunAsync(constant));
    }

    [Fact]
    public async Task CapturingLambda_RebuildsCapturedIntsStringsAndRecords()
    {
        var offset = 10;
        var prefix = "p:";
        var origin = new Point(100, 200);
        Func<int, string> describe = x => $"{prefix}{x + offset}@{origin.X},{origin.Y}";

        Assert.Equal("p:15@100,200", await _runner.RunAsync(describe, 5));
    }

    [Fact]
    public async Task CapturingLambda_SeesTheValueAtSubmitTime()
    {
        var factor = 3;
        Func<int, int> scale = x => x * factor;
        var call = PackagedCall.Create(scale, 2);
        factor = 1000;

        var outcome = await _runner.ExecuteAsync(call);

        Assert.True(outcome.Succeeded);
        Assert.Equal(6, call.Function.DeserializeResult(outcome.Payload));
        Assert.Equal(2000, scale(2));
    }

    [Fact]
    public async Task NestedClosures_CapturingOuterAndInnerScopes_AreRebuilt()
    {
        var outer = 1;
        Func<int, int>? inner = null;
        for (var i = 0; i < 1; i++)
        {
            var local = 20;
            inner = x => x + outer + local;
        }

        Assert.Equal(321, await _runner.RunAsync(inner!, 300));
    }

    [Fact]
    public async Task NullCapturedValue_IsRebuiltAsNull()
    {
        string? missing = null;
        Func<int, string> describe = x => missing ?? $"none-{x}";

        Assert.Equal("none-4", await _runner.RunAsync(describe, 4));
    }

    [Fact]
    public async Task GenericMethod_RunsWithItsTypeArguments()
    {
        var result = await _runner.RunAsync((Func<string, int, string[]>)SampleFunctions.Repeat, "ab", 3);
        Assert.Equal(["ab", "ab", "ab"], Assert.IsType<string[]>(result));

        var points = await _runner.RunAsync((Func<Point, int, Point[]>)SampleFunctions.Repeat, new Point(1, 2), 2);
        Assert.Equal([new Point(1, 2), new Point(1, 2)], Assert.IsType<Point[]>(points));
    }

    [Fact]
    public async Task LambdaInsideGenericMethod_UsesTheConstructedClosureType()
    {
        Assert.Equal("x|x", await _runner.RunAsync(MakeJoiner<string>("|"), "x"));
    }

    private static Func<T, string> MakeJoiner<T>(string separator) => value => $"{value}{separator}{value}";

    [Fact]
    public async Task RecordArgumentAndResult_RoundTrip()
    {
        var moved = await _runner.RunAsync((Func<Point, int, int, Point>)SampleFunctions.Translate, new Point(1, 1), 2, 3);
        Assert.Equal(new Point(3, 4), moved);
    }

    [Fact]
    public async Task TupleListArrayAndDictionary_RoundTrip()
    {
        var summary = await _runner.RunAsync(
            (Func<List<int>, string[], (int, string)>)SampleFunctions.Summarize, new List<int> { 1, 2, 3 }, new[] { "a", "b" });
        Assert.Equal((6, "a-b"), summary);

        var counts = Assert.IsType<Dictionary<string, int>>(
            await _runner.RunAsync((Func<IReadOnlyList<string>, Dictionary<string, int>>)SampleFunctions.CountWords, [new[] { "a", "b", "a" }]));
        Assert.Equal(2, counts["a"]);
        Assert.Equal(1, counts["b"]);
    }

    [Fact]
    public async Task RecordWithListAndPlainClass_RoundTrip()
    {
        Func<Order, PlainHolder, Order> merge = (order, holder) =>
            order with { Customer = $"{order.Customer}#{holder.Number}{holder.Label}", Total = order.Total + holder.Number };

        var result = Assert.IsType<Order>(await _runner.RunAsync(
            merge, new Order("acme", ["bolt", "nut"], 1.5m), new PlainHolder { Number = 2, Label = "x" }));

        Assert.Equal("acme#2x", result.Customer);
        Assert.Equal(["bolt", "nut"], result.Items);
        Assert.Equal(3.5m, result.Total);
    }

    [Fact]
    public async Task AsyncFunction_IsAwaitedAndItsValueReturned()
    {
        var call = PackagedCall.Create((Func<int, Task<int>>)SampleFunctions.DoubleLaterAsync, 21);
        Assert.Equal(typeof(int), call.Function.ResultType);

        var outcome = await _runner.ExecuteAsync(call);

        Assert.True(outcome.Succeeded);
        Assert.Equal(42, call.Function.DeserializeResult(outcome.Payload));
    }

    [Fact]
    public async Task Action_RunsAndHasNoResult()
    {
        var seen = 0;
        Action<int> ignore = x => seen = x;
        var call = PackagedCall.Create(ignore, 5);

        var outcome = await _runner.ExecuteAsync(call);

        Assert.True(outcome.Succeeded);
        Assert.Null(call.Function.DeserializeResult(outcome.Payload));
        Assert.Equal(0, seen); // ran on a rebuilt closure, not on this one
    }

    [Fact]
    public async Task LambdaSharingAScopeWithAnUnshippableCapture_ShipsOnlyWhatItUses()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var stream = new FileStream(path, FileMode.Open);
            var bonus = 7;
            Func<long> other = () => stream.Length + bonus; // puts 'stream' in the same closure object
            Func<int, int> addBonus = x => x + bonus;

            Assert.Equal(other.Target, addBonus.Target);
            Assert.Equal(10, await _runner.RunAsync(addBonus, 3));
            Assert.Throws<FunctionNotShippableException>(() => ShippableFunction.Capture(other));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task LambdaCallingACapturingLocalFunction_ShipsTheLocalFunctionsCaptures()
    {
        var scale = 4;
        var shift = 1;
        int Transform(int x) => (x * scale) + shift;
        Func<int, int> apply = x => Transform(x) + 1;

        Assert.Equal(14, await _runner.RunAsync(apply, 3));
    }

    [Fact]
    public async Task LambdaBuildingAnotherLambda_ShipsTheInnerCaptures()
    {
        var step = 5;
        Func<int, int> apply = x =>
        {
            Func<int, int> inner = y => y + step;
            return inner(inner(x));
        };

        Assert.Equal(12, await _runner.RunAsync(apply, 2));
    }

    [Fact]
    public async Task SameFunctionObjectRunTwice_GetsAFreshClosureEachTime()
    {
        var total = 100;
        Func<int, int> accumulate = x => total += x;
        var call = PackagedCall.Create(accumulate, 5);

        var first = await _runner.ExecuteAsync(call);
        var second = await _runner.ExecuteAsync(call);

        Assert.Equal(105, call.Function.DeserializeResult(first.Payload));
        Assert.Equal(105, call.Function.DeserializeResult(second.Payload));
        Assert.Equal(100, total);
    }

    [Fact]
    public async Task FrameworkStaticMethod_RunsWithoutShippingCode()
    {
        Func<int, int, int> max = Math.Max;
        var call = PackagedCall.Create(max, 3, 9);

        Assert.Empty(call.CodeAssemblies);
        var outcome = await _runner.ExecuteAsync(call);

        Assert.Equal(9, call.Function.DeserializeResult(outcome.Payload));
    }

    [Fact]
    public async Task ValueTaskAndPlainTaskFunctions_AreAwaited()
    {
        Func<string, ValueTask<int>> length = async s =>
        {
            await Task.Yield();
            return s.Length;
        };
        Assert.Equal(5, await _runner.RunAsync(length, "hello"));

        Func<int, Task> fail = async x =>
        {
            await Task.Yield();
            throw new InvalidOperationException($"async failure {x}");
        };
        var error = await _runner.FailAsync(fail, 4);
        Assert.Equal("async failure 4", error.Message);
    }
}
