using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.Worker.Execution;
using Scaler.Worker.Hosting;
using Scaler.Worker.Processors;

namespace Scaler.Worker.Tests;

public sealed class ProcessorBackendTests
{
    [Fact]
    public async Task LauncherThatCannotStart_LeavesTheBackendUnavailable_WithoutThrowing()
    {
        var backend = new ProcessorProcessBackend(
            new ProcessLauncher(Path.Combine(AppContext.BaseDirectory, "no-such-scaler-cli"), []), NullLoggerFactory.Instance);
        await using (backend)
        {
            await backend.StartAsync(ScalerAddress.Parse("tcp://127.0.0.1:1"), new IgnoringSink(), CancellationToken.None);

            Assert.False(backend.CanAccept);
            Assert.Empty(backend.GetProcessorStatuses());
            Assert.False(await backend.CancelAsync(new byte[16], CancellationToken.None));
        }
    }

    private sealed class IgnoringSink : ITaskCompletionSink
    {
        public void TaskCompleted(TaskCompletion completion) => Assert.Fail("nothing was submitted");

        public void CapacityAvailable() => Assert.Fail("no processor can start");
    }
}
