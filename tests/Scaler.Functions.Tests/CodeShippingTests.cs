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
    public async Task LambdaCallingIntoShippedCode_ShipsBothAssemblies()
    {
        var combine = LoadEmittedCombine("Shipped.Sample.C");
        var method = combine.Method;
        var weight = 2;
        // The lambda lives in the test assembly (already loaded on the run side); the method it calls through
        // reflection does not. Only the emitted assembly may be fetched.
        Func<int, int> viaReflection = x => (int)method.Invoke(null, [x, weight])!;
        var runner = new RemoteRunner();

        var error = await Assert.ThrowsAsync<FunctionNotShippableException>(() => runner.RunAsync(viaReflection, 1));

        Assert.Contains("'method' of type", error.Message, StringComparison.Ordinal);
        Assert.Empty(runner.Fetched);
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
        var path = Path.Combine(_directory, assemblyName + ".dll");
        using (var file = File.Create(path))
        {
            builder.Save(file);
        }

        var clientContext = new AssemblyLoadContext("client-" + assemblyName);
        var loaded = clientContext.LoadFromAssemblyPath(path);
        return loaded.GetType(assemblyName + ".Calculator", throwOnError: true)!
            .GetMethod("Combine")!
            .CreateDelegate<Func<int, int, int>>();
    }
}
