"""The Scaler.NET Python task runner: runs the Python tasks its host (a Scaler.NET processor or Symphony service
instance) hands it over stdin, one at a time, and answers each with a result object or a pickled failure on stdout.

Two kinds of task:

* RUN_TASK: a Scaler task as the reference client made it: serializer object (``cloudpickle.loads`` gives an object
  with ``serialize``/``deserialize``), function object and argument objects (``serializer.deserialize``). The answer
  is ``serializer.serialize(result)``, or the failure as the reference worker writes it. Serializers and functions
  are kept by their object ID until the host says FORGET (the host sends their bytes only the first time).
* RUN_SOAM_TASK: a Symphony task input in the reference worker manager's contract: ``cloudpickle.loads(input)`` gives
  ``(function, *arguments)``; the answer is ``cloudpickle.dumps(function(*arguments))``.

User code's prints go to stderr (the channel keeps the real stdout), and reading stdin gives end-of-file. The
runner ends when the host closes stdin, and by itself when the host process goes away.
"""

import os
import pickle
import resource
import signal
import sys
import threading
import time
import traceback

from scaler_net import channel

SUCCESS = 0
FAILED = 1

_PARENT_POLL_SECONDS = 1.0


# A task that took longer than this has its answer sent at once; faster ones wait for the burst they came in.
_FLUSH_AFTER_SECONDS = 0.001


def main() -> int:
    channel_in, channel_out = _take_channel()
    reader = channel.FrameReader(channel_in)
    writer = channel.FrameWriter(channel_out)
    _die_with_parent()
    # The host owns this process's lifetime; a Ctrl-C sent to the terminal's process group must not end it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    try:
        import cloudpickle
    except ImportError as error:
        writer.write(channel.FATAL, _missing_cloudpickle_message(error))
        return 3

    tblib_version = ""
    try:
        import tblib
        import tblib.pickling_support

        tblib.pickling_support.install()
        tblib_version = getattr(tblib, "__version__", "unknown")
    except ImportError:
        pass

    python_version = "%d.%d.%d" % sys.version_info[:3]
    writer.write(
        channel.READY,
        python_version,
        getattr(cloudpickle, "__version__", "unknown"),
        tblib_version,
        sys.executable or "",
        ("u32", os.getpid()),
    )

    runner = _TaskRunner(python_version, cloudpickle)
    while True:
        if not reader.has_frame():
            # About to wait for the host: whatever is answered goes now, in one write.
            writer.flush()
        frame = reader.read_frame()
        if frame is None:
            return 0
        kind, body = frame
        started = time.monotonic()
        if kind == channel.RUN_TASK:
            answer = runner.run_task(channel.BodyReader(body))
        elif kind == channel.RUN_SOAM_TASK:
            answer = runner.run_soam_task(channel.BodyReader(body))
        elif kind == channel.FORGET:
            runner.forget()
            continue
        else:
            raise channel.ChannelError(f"unknown frame kind {kind}")
        status, payload, error_text, cpu_seconds = answer
        max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        slow = time.monotonic() - started > _FLUSH_AFTER_SECONDS
        writer.write(channel.RESULT, ("u8", status), payload, error_text, ("f64", cpu_seconds), ("u64", max_rss), flush=slow or writer.pending >= 64)


class _TaskRunner:
    def __init__(self, python_version, cloudpickle):
        self._python_version = python_version
        self._cloudpickle = cloudpickle
        # object ID -> the loaded object, or the exception its loading raised (kept too: the host will not resend it)
        self._serializers = {}
        self._functions = {}

    def forget(self):
        self._serializers.clear()
        self._functions.clear()

    def run_task(self, reader):
        from scaler_net import reference

        task_id = reader.blob()
        serializer_key, serializer_bytes = reader.blob(), reader.blob()
        function_key, function_bytes = reader.blob(), reader.blob()
        arguments = [reader.blob() for _ in range(reader.u32())]
        started_cpu = time.process_time()
        try:
            serializer = self._load(self._serializers, serializer_key, serializer_bytes, "serializer", reference.load_with_stand_ins)
        except _LoadError as error:
            return FAILED, reference.deserialize_object_error(str(error)), str(error), time.process_time() - started_cpu

        try:
            function = self._load(self._functions, function_key, function_bytes, "function", serializer.deserialize)
            values = []
            for index, argument in enumerate(arguments):
                try:
                    values.append(serializer.deserialize(argument))
                except Exception as error:  # noqa: BLE001
                    raise _LoadError(self._describe_load_failure(f"argument {index}", error)) from error
        except _LoadError as error:
            return FAILED, reference.deserialize_object_error(str(error)), str(error), time.process_time() - started_cpu

        try:
            result = function(*values)
            payload = serializer.serialize(result)
            return SUCCESS, payload, "", time.process_time() - started_cpu
        except Exception as error:  # noqa: BLE001 - the task's failure is its result
            return FAILED, reference.serialize_failure(error), _describe(error, task_id), time.process_time() - started_cpu

    def run_soam_task(self, reader):
        from scaler_net import reference

        task_id = reader.blob()
        task_input = reader.blob()
        started_cpu = time.process_time()
        try:
            try:
                loaded = reference.load_with_stand_ins(task_input)
            except Exception as error:  # noqa: BLE001
                raise _LoadError(self._describe_load_failure("Symphony task input", error)) from error
            if not isinstance(loaded, tuple) or len(loaded) < 1 or not callable(loaded[0]):
                raise _LoadError(f"the Symphony task input is not a tuple (function, *arguments): got {type(loaded).__name__}")
        except _LoadError as error:
            return FAILED, reference.deserialize_object_error(str(error)), str(error), time.process_time() - started_cpu

        function, *arguments = loaded
        try:
            result = function(*arguments)
            payload = self._cloudpickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            return SUCCESS, payload, "", time.process_time() - started_cpu
        except Exception as error:  # noqa: BLE001
            return FAILED, reference.serialize_failure(error), _describe(error, task_id), time.process_time() - started_cpu

    def _load(self, cache, key, data, what, load):
        if key in cache:
            loaded = cache[key]
        elif not data:
            loaded = _LoadError(f"the {what} object {key.hex()} was neither sent nor kept by this runner")
        else:
            try:
                loaded = load(data)
            except Exception as error:  # noqa: BLE001
                loaded = _LoadError(self._describe_load_failure(f"{what} object {key.hex()}", error))
            cache[key] = loaded
        if isinstance(loaded, _LoadError):
            raise loaded
        return loaded

    def _describe_load_failure(self, what, error):
        return (
            f"failed to deserialize {what}: {type(error).__name__}: {error} "
            f"(worker Python {self._python_version}, cloudpickle {getattr(self._cloudpickle, '__version__', '?')}; "
            "a function pickled by value loads only on the Python minor version of the client that pickled it, "
            "and modules it references by name must be importable on the worker)"
        )


class _LoadError(Exception):
    pass


def _describe(error, task_id):
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    return f"task {task_id.hex()}: " + "".join(lines)


def _take_channel():
    """Keeps the real stdin/stdout for frames; user code gets /dev/null for stdin and stderr for stdout."""
    channel_in = os.dup(0)
    channel_out = os.fdopen(os.dup(1), "wb", buffering=1 << 16)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull, "r")
    sys.stdout = sys.stderr
    return channel_in, channel_out


def _die_with_parent():
    """Ends this process when its host goes away, even while user code runs (the host's pipe end alone cannot tell
    a runner that is busy in a task)."""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(_PARENT_POLL_SECONDS)
            if os.getppid() != parent:
                os._exit(70)

    threading.Thread(target=watch, name="scaler-net-parent-watch", daemon=True).start()


def _missing_cloudpickle_message(error):
    return (
        f"the Python interpreter {sys.executable} (Python {'%d.%d.%d' % sys.version_info[:3]}) cannot import cloudpickle "
        f"({error}), which Python tasks need: install it for that interpreter (Debian/Ubuntu: apt-get install "
        f"python3-cloudpickle python3-tblib; or: {sys.executable} -m pip install cloudpickle tblib), "
        "or choose another interpreter with --python-executable (TOML python_executable) or SCALER_PYTHON_EXECUTABLE"
    )
