"""What a Scaler.NET runner needs of the reference ``scaler`` package, without installing it.

The reference client's serializer object is a pickle of ``scaler.client.serializer.default.DefaultSerializer`` by
reference (its module and class name). ``load_with_stand_ins`` loads such pickles whether or not that package is
installed here: a class the pickle names is imported when it can be, and only when it cannot is one of the stand-ins
below used, with the same behaviour. Failures are written as the reference worker writes them
(``scaler.utility.serialization.serialize_failure``), and exceptions the reference client knows by name are
written by name, so the client loads them as its own classes.
"""

import abc
import io
import pickle
import struct
from typing import Any

import cloudpickle


class Serializer(metaclass=abc.ABCMeta):
    """Stand-in for ``scaler.client.serializer.mixins.Serializer`` (a user serializer may subclass it)."""

    @staticmethod
    @abc.abstractmethod
    def serialize(obj: Any) -> bytes:
        raise NotImplementedError()

    @staticmethod
    @abc.abstractmethod
    def deserialize(payload: bytes) -> Any:
        raise NotImplementedError()


class DefaultSerializer(Serializer):
    """Stand-in for ``scaler.client.serializer.default.DefaultSerializer``: cloudpickle at the highest protocol."""

    @staticmethod
    def serialize(obj: Any) -> bytes:
        return cloudpickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def deserialize(payload: bytes) -> Any:
        return cloudpickle.loads(payload)


_STAND_INS = {
    ("scaler.client.serializer.default", "DefaultSerializer"): DefaultSerializer,
    ("scaler.client.serializer.mixins", "Serializer"): Serializer,
}


def load_with_stand_ins(data) -> Any:
    """``pickle.loads`` whose references to the reference's serializer classes resolve without that package.

    A ``cloudpickle.loads``/``pickle.loads`` that the pickle itself calls (a Symphony task input built by a Scaler.NET
    worker manager holds such calls) gets the same treatment.
    """
    return _StandInUnpickler(io.BytesIO(data)).load()


class _StandInUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in {("cloudpickle", "loads"), ("cloudpickle.cloudpickle", "loads"), ("pickle", "loads"), ("_pickle", "loads")}:
            return load_with_stand_ins
        try:
            return super().find_class(module, name)
        except (ImportError, AttributeError):
            stand_in = _STAND_INS.get((module, name))
            if stand_in is None:
                raise
            return stand_in


def pickle_exception_by_name(module: str, qualname: str, message: str) -> bytes:
    """A pickle of ``module.qualname(message)`` written by hand, so the class need not be importable here."""
    text = message.encode("utf-8", errors="replace")
    return (
        b"\x80\x02c"
        + module.encode("ascii")
        + b"\n"
        + qualname.encode("ascii")
        + b"\nX"
        + struct.pack("<I", len(text))
        + text
        + b"\x85R."
    )


def serialize_failure(exception: BaseException) -> bytes:
    """As the reference worker: the pickled exception, or, when it cannot be pickled, a
    ``scaler.utility.exceptions.TaskExceptionNotSerializableError`` that keeps its type name and message."""
    try:
        return pickle.dumps(exception, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - any pickling failure degrades to the named error
        try:
            detail = f"{type(exception).__name__}: {exception}"
        except Exception:  # noqa: BLE001
            detail = type(exception).__name__
        return pickle_exception_by_name("scaler.utility.exceptions", "TaskExceptionNotSerializableError", detail)


def deserialize_object_error(message: str) -> bytes:
    """The reference's error for an object a worker could not load (``scaler.utility.exceptions.DeserializeObjectError``)."""
    return pickle_exception_by_name("scaler.utility.exceptions", "DeserializeObjectError", message)
