using Scaler.Scheduler.Policies;
using Scaler.Scheduler.Policies.Allocation;
using Scaler.Scheduler.Policies.Scaling;

namespace Scaler.Scheduler.Tests.Policies;

public sealed class PolicyContentParserTests
{
    [Fact]
    public void Parse_ReferenceDefaults_GivesSimpleEvenLoadVanilla()
    {
        var content = PolicyContentParser.Parse("simple", "allocate=even_load; scaling=vanilla");

        Assert.Equal(
            new PolicyContent(PolicyEngineType.Simple, AllocationPolicyKind.EvenLoad, ScalingPolicyKind.Vanilla),
            content);
    }

    [Theory]
    [InlineData("scaling=no;allocate=capability")]
    [InlineData("  scaling =  no ;   allocate=   capability  ")]
    [InlineData("allocate=capability;scaling=no;")]
    [InlineData(";allocate=capability ;; scaling=no ; ")]
    public void Parse_IsOrderFreeAndWhitespaceTolerant(string text)
    {
        var content = PolicyContentParser.Parse(" simple ", text);

        Assert.Equal(AllocationPolicyKind.Capability, content.Allocation);
        Assert.Equal(ScalingPolicyKind.No, content.Scaling);
    }

    [Theory]
    [InlineData("allocate=even_lod; scaling=vanilla", "unknown allocate policy 'even_lod'; known: even_load, capability")]
    [InlineData("allocate=even_load; scaling=fast", "unknown scaling policy 'fast'; known: no, vanilla, capability")]
    [InlineData("allocate=even_load; scaling=vanilla; speed=2", "unknown policy key 'speed'; known: allocate, scaling")]
    [InlineData("allocate=even_load; allocate=capability; scaling=no", "policy key 'allocate' is given more than once")]
    [InlineData("allocate=even_load; scaling=no; scaling=no", "policy key 'scaling' is given more than once")]
    [InlineData("allocate=even_load", "policy content needs the key 'scaling'")]
    [InlineData("scaling=no", "policy content needs the key 'allocate'")]
    [InlineData("", "policy content needs the key 'allocate'")]
    [InlineData("allocate=even_load; vanilla", "policy content item 'vanilla' is not of the form key=value")]
    [InlineData("allocate=; scaling=no", "policy content item 'allocate=' needs both a key and a value")]
    [InlineData("=even_load; scaling=no", "policy content item '=even_load' needs both a key and a value")]
    [InlineData("allocate=Even_Load; scaling=no", "unknown allocate policy 'Even_Load'")]
    public void Parse_BadContent_SaysWhatIsWrong(string text, string expectedMessageStart)
    {
        var error = Assert.Throws<PolicyContentException>(() => PolicyContentParser.Parse("simple", text));

        Assert.StartsWith(expectedMessageStart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownEngineType_ListsKnownOnes()
    {
        var error = Assert.Throws<PolicyContentException>(() => PolicyContentParser.Parse("simpel", "allocate=even_load; scaling=no"));

        Assert.Equal("unknown policy engine type 'simpel'; known: simple, waterfall_v1", error.Message);
    }

    [Fact]
    public void Parse_WaterfallEngine_IsRecognisedButNotSupportedYet()
    {
        var error = Assert.Throws<PolicyContentException>(() => PolicyContentParser.Parse("waterfall_v1", "anything"));

        Assert.Equal("policy engine type 'waterfall_v1' is not supported yet; supported: simple", error.Message);
    }

    [Theory]
    [InlineData("allocate=even_load; scaling=vanilla", typeof(EvenLoadAllocationPolicy), typeof(VanillaScalingPolicy))]
    [InlineData("allocate=even_load; scaling=no", typeof(EvenLoadAllocationPolicy), typeof(NoScalingPolicy))]
    [InlineData("allocate=capability; scaling=capability", typeof(CapabilityAllocationPolicy), typeof(CapabilityScalingPolicy))]
    public void Factory_BuildsTheNamedPolicies(string text, Type allocation, Type scaling)
    {
        var engine = PolicyEngineFactory.Create("simple", text);

        Assert.IsType(allocation, engine.Allocation);
        Assert.IsType(scaling, engine.Scaling);
    }

    [Fact]
    public void Factory_WithNoArguments_UsesReferenceDefaults()
    {
        var engine = PolicyEngineFactory.Create();

        Assert.IsType<EvenLoadAllocationPolicy>(engine.Allocation);
        Assert.IsType<VanillaScalingPolicy>(engine.Scaling);
    }
}
