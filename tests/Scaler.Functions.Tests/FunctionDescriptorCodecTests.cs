using System.Text;

namespace Scaler.Functions.Tests;

public sealed class FunctionDescriptorCodecTests
{
    [Fact]
    public void EncodedDescriptor_DecodesToTheSameMethodAndCode()
    {
        var factor = 3;
        Func<int, int> scale = x => x * factor;
        var function = ShippableFunction.Capture(scale);

        var descriptor = FunctionDescriptorCodec.Decode(function.FunctionObject);

        Assert.Equal(scale.Method.Name, descriptor.MethodName);
        Assert.Equal(scale.Method.MetadataToken, descriptor.MethodToken);
        Assert.Equal(FunctionTargetKind.Closure, descriptor.Target.Kind);
        var field = Assert.Single(descriptor.Target.Closure!.Fields);
        Assert.Equal("factor", field.Name);
        Assert.Equal(3, MessagePackScalerSerializer.Instance.Deserialize(field.Value, typeof(int)));
        Assert.Equal(function.CodeAssemblies.Select(c => c.Reference), descriptor.Code);
        Assert.Equal("System.Int32", Assert.Single(descriptor.ParameterTypes).FullName);
        Assert.Equal("System.Private.CoreLib", descriptor.ReturnType!.AssemblyName);
    }

    [Fact]
    public void FunctionObject_StartsWithItsAsciiMagic()
    {
        var function = ShippableFunction.Capture((Func<int, int, int>)SampleFunctions.Add);

        Assert.StartsWith("SCALER.NET/FUNCTION 1\n", Encoding.ASCII.GetString(function.FunctionObject.Span[..22]), StringComparison.Ordinal);
    }

    [Fact]
    public void DeclaredListLongerThanTheLimit_IsRefusedBeforeReading()
    {
        var bytes = Encoding.ASCII.GetBytes("SCALER.NET/FUNCTION 1\n")
            .Concat(new byte[] { 0x9A, 0xDD, 0x00, 0x00, 0x13, 0x88 }) // array(10), then array32 of 5,000 code entries
            .Concat(Enumerable.Repeat((byte)0xC0, 20000)) // enough bytes that only our limit, not the reader's, can refuse
            .ToArray();

        var error = Assert.Throws<FunctionLoadException>(() => FunctionDescriptorCodec.Decode(bytes));

        Assert.True(error.Message.Contains("list of 5000 items; the limit is 4096", StringComparison.Ordinal), error.Message);
    }

    [Fact]
    public void DeclaredListLongerThanTheBytes_IsMalformed()
    {
        var bytes = Encoding.ASCII.GetBytes("SCALER.NET/FUNCTION 1\n").Concat(new byte[] { 0x9A, 0xDD, 0x00, 0x0F, 0x42, 0x40 }).ToArray();

        var error = Assert.Throws<FunctionLoadException>(() => FunctionDescriptorCodec.Decode(bytes));

        Assert.Contains("malformed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrailingBytes_AreRefused()
    {
        var function = ShippableFunction.Capture((Func<int, int, int>)SampleFunctions.Add);
        var bytes = function.FunctionObject.ToArray().Append((byte)0xC0).ToArray();

        var error = Assert.Throws<FunctionLoadException>(() => FunctionDescriptorCodec.Decode(bytes));

        Assert.Contains("bytes after the descriptor", error.Message, StringComparison.Ordinal);
    }
}
