using System.Reflection.Emit;

namespace Scaler.Functions.Tests;

public sealed class CaptureTests
{
    [Fact]
    public void CapturedFileStream_FailsAtSubmitNamingTheVariableAndType()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var stream = new FileStream(path, FileMode.Open);
            Func<int, long> length = x => stream.Length + x;

            var error = Assert.Throws<FunctionNotShippableException>(() => ShippableFunction.Capture(length));

            Assert.Contains("captures 'stream' of type FileStream, which cannot be serialized", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CapturedDelegate_FailsAtSubmit()
    {
        Func<int, int> inner = x => x + 1;
        Func<int, int> outer = x => inner(x) * 2;

        var error = Assert.Throws<FunctionNotShippableException>(() => ShippableFunction.Capture(outer));

        Assert.Contains("'inner'", error.Message, StringComparison.Ordinal);
        Assert.Contains("delegates cannot be serialized", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CapturedValueTheSerializerRejects_FailsAtSubmitWithTheSerializerReason()
    {
        var unserializable = new NoPublicMembers(3);
        Func<int, int> use = x => x + unserializable.GetHashCode();

        var error = Assert.Throws<FunctionNotShippableException>(() => ShippableFunction.Capture(use));

        Assert.Contains("captures 'unserializable' of type NoPublicMembers", error.Message, StringComparison.Ordinal);
        Assert.Contains("msgpack serializer failed", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public void InstanceMethodOnAnArbitraryObject_FailsAtSubmit()
    {
        var counter = new Counter();

        var error = Assert.Throws<FunctionNotShippableException>(() => ShippableFunction.Capture((Func<int, int>)counter.Increment));

        Assert.Contains("instance method Counter.Increment", error.Message, StringComparison.Ordinal);
        Assert.Contains("only static methods and lambdas", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LambdaUsingOnlyThis_FailsAtSubmitAsAnInstanceMethod()
    {
        var holder = new LambdaFactory(3);

        var error = Assert.Throws<FunctionNotShippableException>(() => ShippableFunction.Capture(holder.MakeScaler()));

        Assert.Contains("on an object of type LambdaFactory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MulticastDelegate_FailsAtSubmit()
    {
        Action<int> first = _ => { };
        Action<int> second = _ => { };

        var error = Assert.Throws<FunctionNotShippableException>(() => ShippableFunction.Capture(first + second));

        Assert.Contains("2 invocation targets", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DynamicMethod_FailsAtSubmit()
    {
        var method = new DynamicMethod("Identity", typeof(int), [typeof(int)]);
        var il = method.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ret);
        var identity = method.CreateDelegate<Func<int, int>>();

        var error = Assert.Throws<FunctionNotShippableException>(() => ShippableFunction.Capture(identity));

        Assert.Contains("built at run time", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StaticMethodClosedOverItsFirstArgument_FailsAtSubmit()
    {
        var greeting = "hi";
        Func<string> twice = greeting.Shout;

        var error = Assert.Throws<FunctionNotShippableException>(() => ShippableFunction.Capture(twice));

        Assert.Contains("first argument closed over", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongArgumentCount_IsRejectedAtSubmit()
    {
        var function = ShippableFunction.Capture((Func<int, int, int>)SampleFunctions.Add);

        var error = Assert.Throws<ArgumentException>(() => function.Package(1));

        Assert.Contains("takes 2 argument(s) (int a, int b), but 1 were given", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongArgumentType_IsRejectedAtSubmit()
    {
        var function = ShippableFunction.Capture((Func<int, int, int>)SampleFunctions.Add);

        var error = Assert.Throws<ArgumentException>(() => function.Package(1, "two"));

        Assert.Contains("argument 1 ('b') is a string, but the parameter is a int", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullForAValueTypeParameter_IsRejectedAtSubmit()
    {
        var function = ShippableFunction.Capture((Func<int, int, int>)SampleFunctions.Add);

        var error = Assert.Throws<ArgumentException>(() => function.Package(1, null));

        Assert.Contains("is null", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullForAReferenceOrNullableParameter_IsAccepted()
    {
        Func<string?, int?, string> show = (s, n) => $"{s}{n}";

        var call = PackagedCall.Create(show, null, null);

        Assert.Equal(2, call.ArgumentObjects.Count);
    }

    [Fact]
    public void Capture_ListsTheDeclaringAssemblyButNotTheFrameworkOrThisLibrary()
    {
        var function = ShippableFunction.Capture((Func<int, int, int>)SampleFunctions.Add);
        var names = function.CodeAssemblies.Select(c => c.Reference.Name).ToList();

        Assert.Equal(typeof(SampleFunctions).Assembly.GetName().Name, names[0]);
        Assert.DoesNotContain("System.Private.CoreLib", names);
        Assert.DoesNotContain("System.Runtime", names);
        Assert.DoesNotContain("Scaler.Functions", names);
        Assert.DoesNotContain("MessagePack", names);
        Assert.Contains("xunit.assert", names); // referenced by the test assembly: shipped transitively
    }

    [Fact]
    public void Capture_HashesTheAssemblyFile()
    {
        var function = ShippableFunction.Capture((Func<int, int, int>)SampleFunctions.Add);
        var own = function.CodeAssemblies[0];

        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(typeof(SampleFunctions).Assembly.Location)));

        Assert.Equal(expected, own.Reference.Sha256Hex);
        Assert.Equal(typeof(SampleFunctions).Assembly.ManifestModule.ModuleVersionId, own.Reference.Mvid);
        Assert.Equal(32, own.Reference.Sha256().Length);
    }

    [Fact]
    public void CodeObjectId_IsTheCodeTagFollowedByTheHashPrefix()
    {
        var reference = new CodeAssemblyReference("A", "1.0.0.0", Guid.Empty, new string('a', 62) + "0f");

        var id = reference.ObjectId();

        Assert.Equal(32, id.Length);
        Assert.Equal("SCALER.NET/CODE\0"u8.ToArray(), id[..16]);
        Assert.Equal(reference.Sha256()[..16], id[16..]);
    }

    [Fact]
    public void SerializerObject_NamesTheSerializerFormat()
    {
        var function = ShippableFunction.Capture((Func<int, int, int>)SampleFunctions.Add);

        Assert.True(SerializerDescriptor.TryParse(function.SerializerObject.Span, out var descriptor));
        Assert.Equal("msgpack", descriptor.FormatId);
    }
}

public sealed class NoPublicMembers(int secret)
{
    private readonly int _secret = secret;

    public override int GetHashCode() => _secret;

    public override bool Equals(object? obj) => obj is NoPublicMembers other && other._secret == _secret;
}

public sealed class LambdaFactory(int factor)
{
    private readonly int _factor = factor;

    // Uses only 'this', so C# makes the lambda an instance method of this class, not of a closure class.
    public Func<int, int> MakeScaler() => x => x * _factor;
}
