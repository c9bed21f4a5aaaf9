"""Makes and reads task objects exactly as the reference Python client of Scaler does.

The reference client (github finos/opengris-scaler, ``src/scaler/client/``) cannot run here: it needs a C++ extension.
Its objects are plain cloudpickle output, though, so real Python makes the same bytes, and C# code carries them over the
wire (``bench/Scaler.Benchmarks/PythonClient``). What the reference does, and this script repeats:

- ``DefaultSerializer.serialize(obj)`` is ``cloudpickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)`` and
  ``deserialize`` is ``cloudpickle.loads`` (``scaler/client/serializer/default.py``);
- the serializer object stored for a client is ``cloudpickle.dumps(DefaultSerializer())``, which pickles the class BY
  REFERENCE as ``scaler.client.serializer.default.DefaultSerializer`` (72 bytes);
- the user's functions live in ``__main__``, so cloudpickle pickles them BY VALUE, closures included;
- a failed task's result object is read with ``pickle.loads`` (``deserialize_failure``), with tblib installed.

The ``scaler`` package is not installed, so stand-in modules of those names are put in ``sys.modules`` first: a class
pickled by reference is written as its module and qualified name, nothing else, so the bytes are the reference's.

Interface: one JSON request on stdin, one JSON answer on stdout (binary data as base64), exit code 0. Errors go to
stderr with exit code 1.

    {"op": "build", "source": "def square(x): ...", "file": "/optional/filename.py",
     "tasks": [{"function": "square", "args": ["7"]}, ...]}
      -> {"serializer": b64,
          "functions": {"<function expression>": b64, ...},
          "function_names": {"<function expression>": "<__name__>", ...},
          "tasks": [{"function": "<function expression>", "args": [b64, ...]}, ...]}

    {"op": "decode", "results": [{"type": "success" | "failed", "data": b64}, ...]}
      -> {"results": [{"repr": ..., "value_json": <value or null>}                      (success)
                      | {"exception_type": "module.Qualname", "message": ..., "traceback": ...}   (failed)
                      | {"load_error": "<type>: <message>"}, ...]}                      (either, when loading fails)
"""

import base64
import builtins
import json
import pickle
import sys
import traceback
import types

import cloudpickle


def _install_reference_serializer_modules():
    """Registers scaler.client.serializer.default.DefaultSerializer so cloudpickle writes it by reference."""
    names = ["scaler", "scaler.client", "scaler.client.serializer", "scaler.client.serializer.default"]
    modules = {}
    for name in names:
        module = sys.modules.get(name)
        if module is None:
            module = types.ModuleType(name)
            if name != names[-1]:
                module.__path__ = []  # a package, as in the reference
            sys.modules[name] = module
        modules[name] = module

    for parent, child in zip(names, names[1:]):
        setattr(modules[parent], child.rsplit(".", 1)[1], modules[child])

    class DefaultSerializer:
        @staticmethod
        def serialize(obj):
            return cloudpickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)

        @staticmethod
        def deserialize(payload):
            return cloudpickle.loads(payload)

    DefaultSerializer.__module__ = names[-1]
    DefaultSerializer.__qualname__ = "DefaultSerializer"
    modules[names[-1]].DefaultSerializer = DefaultSerializer
    return DefaultSerializer


DefaultSerializer = _install_reference_serializer_modules()


# The exceptions of the reference's scaler/utility/exceptions.py, which a reference client has installed: workers
# (theirs and ours) send some of them, pickled by name, as failed tasks' results.
_REFERENCE_EXCEPTIONS = [
    "TaskNotFoundError", "WorkerDiedError", "NoWorkerError", "DisconnectedError", "ProcessorDiedError",
    "TaskExceptionNotSerializableError", "DeserializeObjectError", "MissingObjects", "ClientCancelledException",
    "ClientShutdownException", "ClientQuitException", "ObjectStorageException", "CapnpDeserializationError",
]


def _install_reference_exception_modules():
    """Registers scaler.utility.exceptions with the reference's exception classes, as a reference client has it."""
    names = ["scaler", "scaler.utility", "scaler.utility.exceptions"]
    for name in names:
        if name not in sys.modules:
            module = types.ModuleType(name)
            if name != names[-1]:
                module.__path__ = []
            sys.modules[name] = module
    for parent, child in zip(names, names[1:]):
        setattr(sys.modules[parent], child.rsplit(".", 1)[1], sys.modules[child])
    exceptions = sys.modules[names[-1]]
    for name in _REFERENCE_EXCEPTIONS:
        if not hasattr(exceptions, name):
            setattr(exceptions, name, type(name, (Exception,), {"__module__": names[-1], "__qualname__": name}))


def _b64(data):
    return base64.b64encode(data).decode("ascii")


def _user_namespace(file_name):
    """A fresh namespace named __main__: functions defined in it are pickled by value, as a user script's are."""
    return {"__name__": "__main__", "__package__": None, "__file__": file_name, "__builtins__": builtins}


def build(request):
    source = request.get("source", "")
    file_name = request.get("file") or "<reference-client>"
    namespace = _user_namespace(file_name)
    exec(compile(source, file_name, "exec"), namespace)

    functions = {}
    function_names = {}
    tasks = []
    for task in request.get("tasks", []):
        expression = task["function"]
        if expression not in functions:
            function = eval(expression, namespace)
            if not callable(function):
                raise TypeError(f"function {expression!r} is not callable: {function!r}")
            functions[expression] = _b64(DefaultSerializer.serialize(function))
            # The reference names a function object by its __name__ (object_buffer.py).
            function_names[expression] = getattr(function, "__name__", expression)

        arguments = [_b64(DefaultSerializer.serialize(eval(argument, namespace))) for argument in task.get("args", [])]
        tasks.append({"function": expression, "args": arguments})

    return {
        "serializer": _b64(cloudpickle.dumps(DefaultSerializer(), protocol=pickle.HIGHEST_PROTOCOL)),
        "functions": functions,
        "function_names": function_names,
        "tasks": tasks,
    }


def _json_value(value):
    try:
        json.dumps(value, allow_nan=False)
        return value
    except (TypeError, ValueError, OverflowError, RecursionError):
        return None


def _type_name(value):
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


def _decode_one(result):
    kind = result["type"]
    if kind not in ("success", "failed"):
        raise ValueError(f"unknown result type {kind!r} (expected 'success' or 'failed')")

    data = base64.b64decode(result["data"])
    try:
        # A success goes through the serializer; a failure through the reference's deserialize_failure (pickle.loads).
        value = DefaultSerializer.deserialize(data) if kind == "success" else pickle.loads(data)
    except Exception as error:  # whatever a broken payload raises is what breaks the reference client
        return {"load_error": f"{type(error).__name__}: {error}"}

    if kind == "success":
        return {"repr": repr(value), "value_json": _json_value(value)}

    tb = getattr(value, "__traceback__", None)
    return {
        "exception_type": _type_name(value),
        "message": str(value),
        "traceback": "".join(traceback.format_exception(type(value), value, tb)) if tb is not None else "",
    }


def decode(request):
    _install_reference_exception_modules()
    try:
        from tblib import pickling_support  # the reference client's environment has tblib

        pickling_support.install()
    except ImportError:
        pass

    return {"results": [_decode_one(result) for result in request.get("results", [])]}


def main():
    try:
        request = json.load(sys.stdin)
        operation = request.get("op")
        if operation == "build":
            answer = build(request)
        elif operation == "decode":
            answer = decode(request)
        else:
            raise ValueError(f"unknown op {operation!r} (expected 'build' or 'decode')")
    except Exception:
        traceback.print_exc(file=sys.stderr)
        return 1

    json.dump(answer, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
