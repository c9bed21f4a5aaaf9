namespace Scaler.ClientTests;

/// <summary>The <see cref="TaskOptions"/> type itself: defaults, immutability, equality, validation.</summary>
public sealed class TaskOptionsTests
{
    [Fact]
    public void Defaults_NoCapabilitiesAndPriorityZero()
    {
        var options = new TaskOptions();

        Assert.Empty(options.Capabilities);
        Assert.Equal(0, options.Priority);
        Assert.Equal(TaskOptions.Default, options);
        Assert.Equal(-1, TaskOptions.Present);
        options.Validate();
        TaskOptions.Default.Validate();
    }

    [Fact]
    public void Capabilities_AreCopiedWhenSet_SoLaterChangesToTheDictionaryDoNotLeakIn()
    {
        var source = new Dictionary<string, long> { ["gpu"] = TaskOptions.Present };
        var options = new TaskOptions { Capabilities = source };

        source["linux"] = TaskOptions.Present;
        source["gpu"] = 4;

        Assert.Equal(new Dictionary<string, long> { ["gpu"] = -1 }, options.Capabilities);
        Assert.False(options.Capabilities is IDictionary<string, long> { IsReadOnly: false });
    }

    [Fact]
    public void Capabilities_AreCaseSensitive_AsTheSchedulerComparesThem()
    {
        var options = new TaskOptions
        {
            Capabilities = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase) { ["GPU"] = -1 },
        };

        Assert.True(options.Capabilities.ContainsKey("GPU"));
        Assert.False(options.Capabilities.ContainsKey("gpu"));
    }

    [Fact]
    public void Equality_ComparesCapabilitiesByContent_AndWithMakesACopy()
    {
        var a = new TaskOptions { Capabilities = new Dictionary<string, long> { ["gpu"] = -1, ["mem"] = 4 }, Priority = 2 };
        var b = new TaskOptions { Capabilities = new Dictionary<string, long> { ["mem"] = 4, ["gpu"] = -1 }, Priority = 2 };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { Priority = 3 });
        Assert.NotEqual(a, b with { Capabilities = new Dictionary<string, long> { ["gpu"] = -1, ["mem"] = 5 } });
        Assert.NotEqual(a, b with { Capabilities = new Dictionary<string, long> { ["gpu"] = -1 } });
        Assert.Equal(2, (a with { }).Priority);
        Assert.Same(a.Capabilities, (a with { Priority = 9 }).Capabilities);
    }

    [Fact]
    public void ToString_ShowsTheCapabilitiesInNameOrder()
    {
        var options = new TaskOptions { Capabilities = new Dictionary<string, long> { ["mem"] = 4, ["gpu"] = -1 }, Priority = 2 };

        Assert.Equal("TaskOptions { Capabilities = { gpu, mem=4 }, Priority = 2 }", options.ToString());
        Assert.Equal("TaskOptions { Capabilities = {}, Priority = 0 }", TaskOptions.Default.ToString());
    }

    [Fact]
    public void Validate_AcceptsBareNamesAmountsAndTheLongestName()
    {
        new TaskOptions
        {
            Capabilities = new Dictionary<string, long>
            {
                ["gpu"] = TaskOptions.Present,
                ["cpu"] = 0,
                ["memory"] = 1_000_000_000,
                [new string('x', TaskOptions.MaxCapabilityNameLength)] = -1,
                ["python-3.12/numpy"] = -1,
            },
            Priority = int.MaxValue,
        }.Validate();
    }

    [Theory]
    [InlineData("", -1, "empty")]
    [InlineData("   ", -1, "empty")]
    [InlineData(" gpu", -1, "white space")]
    [InlineData("gpu\t", -1, "white space")]
    [InlineData("gpu,linux", -1, "contains ','")]
    [InlineData("gpu=4", -1, "contains '='")]
    [InlineData("g\u0001pu", -1, "control character")]
    [InlineData("gpu", -2, "the value -2")]
    [InlineData("gpu", long.MinValue, "0 or more")]
    public void Validate_BadCapability_ThrowsNamingCapabilities(string name, long value, string reason)
    {
        var options = new TaskOptions { Capabilities = new Dictionary<string, long> { [name] = value } };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal("Capabilities", error.ParamName);
        Assert.StartsWith("TaskOptions.Capabilities: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OverLongName_ThrowsWithTheLengthAndTheLimit()
    {
        var options = new TaskOptions
        {
            Capabilities = new Dictionary<string, long> { [new string('x', TaskOptions.MaxCapabilityNameLength + 1)] = -1 },
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal("Capabilities", error.ParamName);
        Assert.Contains("is 257 characters long; at most 256", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 300, "the message shows the start of the name, not all of it");
    }

    [Fact]
    public void Validate_NullCapabilities_ThrowsNamingCapabilities()
    {
        var options = new TaskOptions { Capabilities = null! };

        Assert.Equal("Capabilities", Assert.Throws<ArgumentNullException>(options.Validate).ParamName);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Validate_NegativePriority_ThrowsNamingPriority(int priority)
    {
        var options = new TaskOptions { Priority = priority };

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal("Priority", error.ParamName);
        Assert.Contains("TaskOptions.Priority must be 0 or more", error.Message, StringComparison.Ordinal);
    }
}
