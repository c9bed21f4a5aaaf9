"""The frame channel between a Scaler.NET host process and this runner (stdin and stdout of the runner).

A frame is a u32 little-endian length (of what follows), a u8 kind, then the body. Bodies are made of blobs
(u32 little-endian length + bytes), u8, u32, u64 and f64 little-endian fields. The host's C# side is
src/Scaler.Python/Runner/RunnerFrames.cs; the layout is in docs/python.md.
"""

import os
import struct
import threading
import time

MAX_FRAME_BYTES = 1 << 30

# runner -> host
READY = 1
FATAL = 2
RESULT = 20

# host -> runner
RUN_TASK = 10
RUN_SOAM_TASK = 11
FORGET = 12

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_F64 = struct.Struct("<d")


class ChannelError(Exception):
    """The host sent something this runner cannot read; the runner ends."""


class FrameReader:
    """Reads frames from a file descriptor through a buffer of its own, so the runner can tell whether another frame
    is already here (``has_frame``) before it decides to flush its answers and wait."""

    def __init__(self, fd):
        self._fd = fd
        self._buffer = bytearray()
        self._at = 0

    def has_frame(self):
        available = len(self._buffer) - self._at
        if available < 4:
            return False
        (length,) = _U32.unpack_from(self._buffer, self._at)
        return available >= 4 + length

    def read_frame(self):
        """Returns (kind, body as memoryview), or None at the end of the stream (the host closed it)."""
        header = self._take(4)
        if header is None:
            return None
        (length,) = _U32.unpack(header)
        if length < 1 or length > MAX_FRAME_BYTES:
            raise ChannelError(f"frame length {length} is outside 1..{MAX_FRAME_BYTES}")
        payload = self._take(length)
        if payload is None:
            raise ChannelError(f"the channel ended inside a frame of {length} bytes")
        return payload[0], memoryview(payload)[1:]

    def _take(self, count):
        while len(self._buffer) - self._at < count:
            if self._at > 0:
                del self._buffer[: self._at]
                self._at = 0
            chunk = os.read(self._fd, max(1 << 16, count - len(self._buffer)))
            if not chunk:
                return None  # the host closed the channel (read_frame tells a clean end from a cut frame)
            self._buffer += chunk
        data = bytes(self._buffer[self._at : self._at + count])
        self._at += count
        return data


class BodyReader:
    def __init__(self, body):
        self._body = body
        self._at = 0

    def _take(self, count):
        if self._at + count > len(self._body):
            raise ChannelError(f"frame body too short: wanted {count} bytes at offset {self._at} of {len(self._body)}")
        view = self._body[self._at : self._at + count]
        self._at += count
        return view

    def u8(self):
        return self._take(1)[0]

    def u32(self):
        return _U32.unpack(self._take(4))[0]

    def blob(self):
        return bytes(self._take(self.u32()))

    def text(self):
        return self.blob().decode("utf-8", errors="replace")


class FrameWriter:
    """Writes frames into a buffered stream. ``write(..., flush=False)`` leaves a frame in the buffer, to leave with
    the answers after it in one write; the runner flushes before it waits for input, and a flusher thread sends any
    frame that has waited ``flush_after`` seconds, so a fast task's answer never waits for a slow task after it."""

    def __init__(self, stream, flush_after=0.001):
        self._stream = stream
        self._lock = threading.Lock()
        self._pending = 0
        self._flush_after = flush_after
        self._late = threading.Event()
        threading.Thread(target=self._flush_late, name="scaler-net-flush", daemon=True).start()

    @property
    def pending(self):
        return self._pending

    def flush(self):
        with self._lock:
            self._flush_locked()

    def write(self, kind, *fields, flush=True):
        """Writes one frame; each field is bytes (a blob), str (a UTF-8 blob) or a (format, value) pair."""
        parts = [bytes((kind,))]
        for field in fields:
            if isinstance(field, str):
                field = field.encode("utf-8", errors="replace")
            if isinstance(field, (bytes, bytearray, memoryview)):
                parts.append(_U32.pack(len(field)))
                parts.append(field)
            else:
                fmt, value = field
                parts.append({"u8": struct.Struct("<B"), "u32": _U32, "u64": _U64, "f64": _F64}[fmt].pack(value))
        body = b"".join(parts)
        with self._lock:
            self._stream.write(_U32.pack(len(body)) + body)
            self._pending += 1
            if flush:
                self._flush_locked()
                return
        self._late.set()

    def _flush_locked(self):
        if self._pending:
            self._stream.flush()
            self._pending = 0

    def _flush_late(self):
        while True:
            self._late.wait()
            self._late.clear()
            time.sleep(self._flush_after)
            with self._lock:
                self._flush_locked()
