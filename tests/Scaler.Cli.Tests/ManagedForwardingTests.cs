namespace Scaler.Cli.Tests;

public sealed class ManagedForwardingTests
{
    [Theory]
    [InlineData("processor", "tcp://127.0.0.1:1", "Information")]
    [InlineData("soam-local-instance")]
    [InlineData("symphony-service", "--soam-library", "x")]
    [InlineData("worker-manager", "symphony", "tcp://127.0.0.1:1", "--service-name", "S")]
    public void SubCommandsThatLoadCode_AreHandedToTheManagedBuild(params string[] args) =>
        Assert.True(ManagedForwarding.LoadsCode(args));

    [Theory]
    [InlineData("scheduler", "tcp://127.0.0.1:1")]
    [InlineData("object-storage-server", "tcp://127.0.0.1:1")]
    [InlineData("worker-manager", "baremetal_native", "tcp://127.0.0.1:1")]
    [InlineData("worker", "scheduler=tcp://127.0.0.1:1")]
    [InlineData("launch", "stack.toml")]
    [InlineData("top", "tcp://127.0.0.1:1")]
    [InlineData("worker-manager")]
    [InlineData("--help")]
    public void EverythingElse_RunsInTheNativeBuild(params string[] args) =>
        Assert.False(ManagedForwarding.LoadsCode(args));

    [Fact]
    public void NoArguments_LoadNothing() => Assert.False(ManagedForwarding.LoadsCode([]));

    [Fact]
    public void InTheManagedBuild_NothingIsForwarded() =>
        Assert.False(ManagedForwarding.IsNeeded(["processor", "tcp://127.0.0.1:1", "Information"]));
}
