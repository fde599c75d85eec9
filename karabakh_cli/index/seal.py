"""The checksum that says an index file holds what kb wrote, byte for byte: a CRC-32 of the
whole file, kept in its SQLite header's application id (offset 68, 4 bytes, counted as zero).
Any change to the file made after it was sealed (a row changed with sqlite3, bits flipped on
the disk, a truncation) shows as another CRC, and the index is rebuilt. CRC-32 finds every
change of up to 32 bits in a row and all but one in 4 billion others; it is no defence
against someone who recomputes it, and needs none: only the user can write kb's cache
folders, or kb refuses them (location.refusal). Never prints."""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Imported by the functions that use it: kb's start-up does without.
    import mmap

_AT = 68
_WIDTH = 4
_BLANK = bytes(_WIDTH)


def _crc(data: mmap.mmap) -> int:
    view = memoryview(data)
    try:
        crc = zlib.crc32(view[:_AT])
        crc = zlib.crc32(_BLANK, crc)
        return zlib.crc32(view[_AT + _WIDTH :], crc)
    finally:
        view.release()


def seal(path: Path) -> None:
    """Write the checksum of the finished, closed index file at ``path`` into it."""
    import mmap

    with path.open("r+b") as file, mmap.mmap(file.fileno(), 0) as data:
        data[_AT : _AT + _WIDTH] = _crc(data).to_bytes(_WIDTH, "big")
        data.flush()


def sealed(fd: int) -> bool:
    """Whether the index file open as ``fd`` holds what kb wrote: its checksum matches."""
    import mmap

    size = os.fstat(fd).st_size
    if size <= _AT + _WIDTH:
        return False
    with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as data:
        return int.from_bytes(data[_AT : _AT + _WIDTH], "big") == _crc(data)
