using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Loader;
using Scaler.Functions.Tests.Support;

namespace Scaler.Functions.Tests;

/// <summary>
/// Ships an assembly the run side has never seen: it is emitted at test time, loaded on the "client" side into its
/// own load context from a file, and must reach the executor only as bytes fetched by hash.
/// </summary>
public sealed class CodeShippingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("scaler-functions-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task EmittedAssembly_IsFetchedByHashLoadedInItsOwnContextAndRun()
    {
        var combine = LoadEmittedCombine("Shipped.Sample.A");
        var runner = new RemoteRunner();
        var call = PackagedCall.Create(combine, 3, 4);

        var shipped = Assert.Single(call.CodeAssemblies);
        Assert.Equal("Shipped.Sample.A", shipped.Reference.Name);

        var outcome = await runner.ExecuteAsync(call);

        Assert.True(outcome.Succeeded, outcome.Error?.ToString());
        Assert.Equal(combine(3, 4), call.Function.DeserializeResult(outcome.Payload));
        Assert.Equal(3 * 31 + 4, call.Function.DeserializeResult(outcome.Payload));
        Assert.Equal(["Shipped.Sample.A"], runner.Fetched);
        Assert.Equal(1, runner.CodeCache.LoadContextCount);
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name == "Shipped.Sample.A");
    }

    [Fact]
    public async Task SecondCallWithTheSameCode_ReusesTheLoadedContextWithoutFetching()
    {
        var combine = LoadEmittedCombine("Shipped.Sample.B");
        var runner = new RemoteRunner();
        var first = await runner.ExecuteAsync(PackagedCall.Create(combine, 1, 1));
        var secondCall = PackagedCall.Create(combine, 10, 2);

        var second = await runner.ExecuteAsync(secondCall);

        Assert.True(first.Succeeded && second.Succeeded);
        Assert.Equal(312, secondCall.Function.DeserializeResult(second.Payload));
        Assert.Single(runner.Fetched);
        Assert.Equal(1, runner.CodeCache.FetchCount);
        Assert.Equal(1, runner.CodeCache.LoadContextCount);
    }

    [Fact]
    public void LambdaCapturingAMethodInfo_IsRefusedAtSubmit()
    {
        var method = LoadEmittedCombine("Shipped.Sample.C").Method;
        var weight = 2;
        Func<int, int> viaReflection = x => (int)method.Invoke(null, [x, weight])!;

        var error = Assert.Throws<FunctionNotShippableException>(() => ShippableFunction.Capture(viaReflection));

        Assert.Contains("captures 'method' of type", error.Message, StringComparison.Ordinal);
        Assert.Contains("reflection objects cannot be serialized", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FunctionFromAnAssemblyTheWorkerAlreadyHas_IsNotFetched()
    {
        var runner = new RemoteRunner();

        Assert.Equal(9, await runner.RunAsync((Func<int, int, int>)SampleFunctions.Add, 4, 5));

        Assert.Empty(runner.Fetched);
        Assert.Equal(0, runner.CodeCache.LoadContextCount);
    }

    [Fact]
    public async Task FetchedBytesWithTheWrongHash_AreRefused()
    {
        var combine = LoadEmittedCombine("Shipped.Sample.D");
        var call = PackagedCall.Create(combine, 1, 2);
        var executor = new TaskExecutor(SerializerRegistry.CreateDefault(), new CodeCache());
        var tampered = call.CodeAssemblies[0].ReadBytes();
        tampered[^1] ^= 0x01;

        var outcome = await executor.ExecuteAsync(
            call.SerializerObject, call.FunctionObject, call.ArgumentObjects, (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(tampered));

        Assert.False(outcome.Succeeded);
        Assert.Contains("its bytes hash to sha256", outcome.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchThatFails_IsAFailureNamingTheAssembly()
    {
        var combine = LoadEmittedCombine("Shipped.Sample.E");
        var call = PackagedCall.Create(combine, 1, 2);
        var executor = new TaskExecutor(SerializerRegistry.CreateDefault(), new CodeCache());

        var outcome = await executor.ExecuteAsync(
            call.SerializerObject, call.FunctionObject, call.ArgumentObjects,
            (_, _) => ValueTask.FromException<ReadOnlyMemory<byte>>(new IOException("storage is down")));

        Assert.False(outcome.Succeeded);
        Assert.Contains("Shipped.Sample.E", outcome.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("could not be fetched: storage is down", outcome.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TypesDefinedInShippedCode_AreSerializedOnBothSides()
    {
        var (sum, make, pairType) = LoadEmittedPairFunctions("Shipped.Sample.F");
        var pair = Activator.CreateInstance(pairType)!;
        pairType.GetField("X")!.SetValue(pair, 20);
        pairType.GetField("Y")!.SetValue(pair, 22);
        var runner = new RemoteRunner();

        var total = await runner.RunAsync(sum, pair);
        var made = await runner.RunAsync(make, 3, 4);

        Assert.Equal(42, total);
        Assert.IsType(pairType, made); // read back as the client's own type
        Assert.Equal(3, pairType.GetField("X")!.GetValue(made));
        Assert.Equal(4, pairType.GetField("Y")!.GetValue(made));
        Assert.Equal(["Shipped.Sample.F"], runner.Fetched);
    }

    /// <summary>
    /// Emits a public class <c>Pair { public int X, Y; }</c> with <c>static int Pairs.Sum(Pair)</c> and
    /// <c>static Pair Pairs.Make(int, int)</c>, loaded on the "client" side in its own context.
    /// </summary>
    private (Delegate Sum, Delegate Make, Type PairType) LoadEmittedPairFunctions(string assemblyName)
    {
        var builder = new PersistedAssemblyBuilder(new AssemblyName(assemblyName), typeof(object).Assembly);
        var module = builder.DefineDynamicModule(assemblyName);
        var pair = module.DefineType(assemblyName + ".Pair", TypeAttributes.Public | TypeAttributes.Sealed, typeof(object));
        var x = pair.DefineField("X", typeof(int), FieldAttributes.Public);
        var y = pair.DefineField("Y", typeof(int), FieldAttributes.Public);
        var constructor = pair.DefineDefaultConstructor(MethodAttributes.Public);
        pair.CreateType();

        var functions = module.DefineType(assemblyName + ".Pairs", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed);
        var sum = functions.DefineMethod("Sum", MethodAttributes.Public | MethodAttributes.Static, typeof(int), [pair]);
        var il = sum.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldfld, x);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldfld, y);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Ret);
        var make = functions.DefineMethod("Make", MethodAttributes.Public | MethodAttributes.Static, pair, [typeof(int), typeof(int)]);
        il = make.GetILGenerator();
        il.Emit(OpCodes.Newobj, constructor);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Stfld, x);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Stfld, y);
        il.Emit(OpCodes.Ret);
        functions.CreateType();

        var loaded = SaveAndLoad(builder, assemblyName);
        var pairType = loaded.GetType(assemblyName + ".Pair", throwOnError: true)!;
        var pairs = loaded.GetType(assemblyName + ".Pairs", throwOnError: true)!;
        return (
            pairs.GetMethod("Sum")!.CreateDelegate(typeof(Func<,>).MakeGenericType(pairType, typeof(int))),
            pairs.GetMethod("Make")!.CreateDelegate(typeof(Func<,,>).MakeGenericType(typeof(int), typeof(int), pairType)),
            pairType);
    }

    private Assembly SaveAndLoad(PersistedAssemblyBuilder builder, string assemblyName)
    {
        var path = Path.Combine(_directory, assemblyName + ".dll");
        using (var file = File.Create(path))
        {
            builder.Save(file);
        }

        return new AssemblyLoadContext("client-" + assemblyName).LoadFromAssemblyPath(path);
    }

    /// <summary>
    /// Emits <c>static int Calculator.Combine(int a, int b) => a * 31 + b</c> into a new assembly file and loads it into
    /// a fresh (client side) load context, so the default context never sees it.
    /// </summary>
    private Func<int, int, int> LoadEmittedCombine(string assemblyName)
    {
        var builder = new PersistedAssemblyBuilder(new AssemblyName(assemblyName), typeof(object).Assembly);
        var module = builder.DefineDynamicModule(assemblyName);
        var type = module.DefineType(assemblyName + ".Calculator", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed);
        var method = type.DefineMethod("Combine", MethodAttributes.Public | MethodAttributes.Static, typeof(int), [typeof(int), typeof(int)]);
        method.DefineParameter(1, ParameterAttributes.None, "a");
        method.DefineParameter(2, ParameterAttributes.None, "b");
        var il = method.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldc_I4, 31);
        il.Emit(OpCodes.Mul);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Ret);
        type.CreateType();
        return SaveAndLoad(builder, assemblyName).GetType(assemblyName + ".Calculator", throwOnError: true)!
            .GetMethod("Combine")!
            .CreateDelegate<Func<int, int, int>>();
    }
}
