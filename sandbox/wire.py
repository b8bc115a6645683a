"""Messages between the host and jailed processes: length-prefixed JSON frames. Stdlib only: this file also runs in jails.

A frame is a 4-byte big-endian length and that many bytes of JSON. Whoever
reads frames from a process that may run candidate code decodes them with
`loads_guarded`, which measures nesting depth and item count on the raw bytes
before parsing, so a hostile frame costs a bounded, predictable amount of
memory and no recursion, and is refused with a reason instead of raising
RecursionError somewhere in the reader.
"""
from __future__ import annotations

import json
import os
import re
import struct
from itertools import accumulate

HEADER = struct.Struct(">I")
MEMORY_EXIT = 86  # a jailed process's exit code when a MemoryError escaped even its error report
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DELTA = tuple(1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256))


class Rejected(ValueError):
    """A frame or value refused by a reader; `limit` names the Limits field it broke, if any."""

    def __init__(self, reason: str, limit: str = ""):
        super().__init__(reason)
        self.limit = limit


def frame(message: dict) -> bytes:
    data = json.dumps(message).encode()
    return HEADER.pack(len(data)) + data


def loads_guarded(data: bytes, max_depth: int, max_items: int) -> object:
    """json.loads, but only for text within the limits; Rejected (never RecursionError) otherwise.

    Depth and count are read from the raw bytes (strings blanked out) with C-speed
    scans, so checking costs far less than parsing."""
    bare = _STRING.sub(b'""', data) if b'"' in data else data
    opens = bare.count(b"[") + bare.count(b"{")
    items = opens + bare.count(b",") + bare.count(b":") + 1
    if items > max_items:
        raise Rejected(f"about {items} values, more than value_items={max_items}", "value_items")
    if opens > max_depth:
        depth = max(accumulate(map(_DELTA.__getitem__, bare.translate(None, _NOT_BRACKETS))))
        if depth > max_depth:
            raise Rejected(f"nested {depth} levels deep, more than value_depth={max_depth}", "value_depth")
    try:
        return json.loads(data)
    except RecursionError:
        raise Rejected("nested too deeply to decode", "value_depth") from None
    except ValueError as exc:  # bad UTF-8, bad JSON, an int of more than 4300 digits
        raise Rejected(f"not decodable: {str(exc)[:200]}") from None


class Frames:
    """Reassembles frames from chunks; refuses a frame announced larger than `limit` before reading it."""

    def __init__(self, limit: int):
        self.limit = limit
        self.buffer = bytearray()

    def feed(self, chunk: bytes) -> None:
        self.buffer += chunk

    def wanted(self) -> int:
        """Bytes still missing for the next frame (0 when one is complete)."""
        if len(self.buffer) < HEADER.size:
            return HEADER.size - len(self.buffer)
        (size,) = HEADER.unpack_from(self.buffer)
        if size > self.limit:
            raise Rejected(f"a message of {size} bytes, more than value_bytes={self.limit}", "value_bytes")
        return max(0, HEADER.size + size - len(self.buffer))

    def pop(self) -> bytes | None:
        """The next complete frame's body, or None."""
        if self.wanted():
            return None
        (size,) = HEADER.unpack_from(self.buffer)
        body = bytes(self.buffer[HEADER.size:HEADER.size + size])
        del self.buffer[:HEADER.size + size]
        return body


class Channel:
    """Blocking frames over a pair of descriptors: the jailed side of a link."""

    def __init__(self, read_fd: int, write_fd: int):
        self.read_fd, self.write_fd = read_fd, write_fd

    def send(self, message: dict) -> None:
        self.write(frame(message))

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.write_fd, view):]

    def receive(self) -> bytes | None:
        """The next frame's body; None when the host closed the channel."""
        header = self._exactly(HEADER.size)
        if header is None:
            return None
        return self._exactly(HEADER.unpack(header)[0])

    def _exactly(self, size: int) -> bytes | None:
        chunks, got = [], 0
        while got < size:
            chunk = os.read(self.read_fd, min(size - got, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)
