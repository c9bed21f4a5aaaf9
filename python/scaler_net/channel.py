"""The frame channel between a Scaler.NET host process and this runner (stdin and stdout of the runner).

A frame is a u32 little-endian length (of what follows), a u8 kind, then the body. Bodies are made of blobs
(u32 little-endian length + bytes), u8, u32, u64 and f64 little-endian fields. The host's C# side is
src/Scaler.Python/Runner/RunnerFrames.cs; the layout is in docs/python.md.
"""

import struct

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


def _read_exactly(stream, count):
    chunks = []
    remaining = count
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_frame(stream):
    """Returns (kind, body as memoryview), or None at the end of the stream (the host closed it)."""
    header = _read_exactly(stream, 4)
    if header is None:
        return None
    (length,) = _U32.unpack(header)
    if length < 1 or length > MAX_FRAME_BYTES:
        raise ChannelError(f"frame length {length} is outside 1..{MAX_FRAME_BYTES}")
    payload = _read_exactly(stream, length)
    if payload is None:
        raise ChannelError(f"the channel ended inside a frame of {length} bytes")
    return payload[0], memoryview(payload)[1:]


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
    def __init__(self, stream):
        self._stream = stream

    def write(self, kind, *fields):
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
        self._stream.write(_U32.pack(len(body)) + body)
        self._stream.flush()
