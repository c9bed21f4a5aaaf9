using System.CommandLine;
using Scaler.Cli.Launch;
using Scaler.Hosting.CommandLine;

namespace Scaler.Cli.Tests.Launch;

/// <summary>
/// Children run inside the test process: each spec's arguments go through the given root command, as a real child's
/// command line would; stopping a child cancels its run (what SIGTERM does to a real tool).
/// </summary>
internal sealed class InProcessChildren(Func<RootCommand> root) : IChildProcessFactory
{
    private int _nextId = 1;

    public List<(ChildSpec Spec, Child Process)> Started { get; } = [];

    public IChildProcess Start(ChildSpec spec, Action<string> standardOutputLine, Action<string> standardErrorLine)
    {
        var child = new Child(_nextId++, root(), spec.Arguments);
        Started.Add((spec, child));
        return child;
    }

    internal sealed class Child : IChildProcess
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly StringWriter _output = new();

        public Child(int id, RootCommand root, IReadOnlyList<string> arguments)
        {
            Id = id;
            Exited = Task.Run(() => CliRunner.RunAsync(root, arguments, _output, _output, _stop.Token));
        }

        public int Id { get; }

        public Task<int> Exited { get; }

        public bool StopRequested => _stop.IsCancellationRequested;

        public void RequestStop() => _stop.Cancel();

        public void Kill() => _stop.Cancel();

        public void Dispose()
        {
            _stop.Cancel();
            Exited.Wait(TimeSpan.FromSeconds(10));
            _stop.Dispose();
            _output.Dispose();
        }
    }
}
