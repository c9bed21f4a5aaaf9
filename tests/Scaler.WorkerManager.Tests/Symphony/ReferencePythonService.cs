using System.Buffers.Binary;
using System.Diagnostics;
using Scaler.Python.Runner;
using Scaler.Symphony.Soam;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>
/// A Python SOAM service as a shop would have written it for the reference worker manager: each task's input is given
/// to <c>cloudpickle.loads</c>, which yields <c>(function, *arguments)</c>; the output is
/// <c>cloudpickle.dumps(function(*arguments))</c>, and an exception fails the SOAM task. The Python part runs in one
/// interpreter per instance ($SCALER_PYTHON_EXECUTABLE); it knows nothing of Scaler.NET (it never reads the trailer).
/// </summary>
public sealed class ReferencePythonService : ServiceContainer, IDisposable
{
    private const string Service = """
        import struct, sys, cloudpickle
        source, sink = sys.stdin.buffer, sys.stdout.buffer
        while True:
            header = source.read(4)
            if len(header) < 4:
                break
            payload = source.read(struct.unpack("<I", header)[0])
            try:
                function, *arguments = cloudpickle.loads(payload)
                status, output = 0, cloudpickle.dumps(function(*arguments))
            except Exception as error:
                status, output = 1, f"{type(error).__name__}: {error}".encode()
            sink.write(bytes([status]) + struct.pack("<I", len(output)) + output)
            sink.flush()
        """;

    private Process? _python;

    public override void OnCreateService(ServiceContext serviceContext)
    {
        var info = new ProcessStartInfo(PythonRunnerOptions.Resolve(null).Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Service);
        _python = Process.Start(info);
    }

    public override void OnInvoke(TaskContext taskContext)
    {
        ArgumentNullException.ThrowIfNull(taskContext);
        var python = _python ?? throw new InvalidOperationException("the service was not created");
        var input = taskContext.PopulateTaskInput();
        Span<byte> header = stackalloc byte[5];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)input.Length);
        python.StandardInput.BaseStream.Write(header[..4]);
        python.StandardInput.BaseStream.Write(input.Span);
        python.StandardInput.BaseStream.Flush();
        python.StandardOutput.BaseStream.ReadExactly(header);
        var output = new byte[BinaryPrimitives.ReadUInt32LittleEndian(header[1..])];
        python.StandardOutput.BaseStream.ReadExactly(output);
        if (header[0] != 0)
        {
            throw new FailureException(System.Text.Encoding.UTF8.GetString(output));
        }

        taskContext.SetTaskOutput(output);
    }

    public override void OnDestroyService() => Dispose();

    public void Dispose()
    {
        if (_python is { } python)
        {
            _python = null;
            python.StandardInput.Close();
            if (!python.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                python.Kill();
            }

            python.Dispose();
        }
    }
}
