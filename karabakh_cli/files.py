"""Files as kb reads and writes them: how much it reads whole at most, and writes of all the
content or nothing, synced to disk.

A leaf below every layer: the writes to a fact base (curate.writing) and the pictures a listing
is saved as (output.render) both go through here.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

MIB = 1024 * 1024
# The most kb reads whole of any file, a fact base or an archived text. Far above any real one
# (100,000 quotes is about 76 MB), low enough to refuse a wrong file before decoding it whole (a
# decoded base takes several times its size in memory).
MAX_BYTES = 512 * MIB


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable: without this a crash may undo it."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _mode_for(path: Path) -> int:
    """The permissions the file at ``path`` has, or a new file would get (mkstemp's are 0600)."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def written_temporary(path: Path, content: bytes) -> Path:
    """A synced temporary file beside ``path`` holding ``content``, with path's permissions:
    named ``.NAME.*.tmp``, so that the next writer of a base under its lock removes one left."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
            file.flush()
            os.fchmod(file.fileno(), _mode_for(path))
            os.fsync(file.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def put_atomically(path: Path, content: bytes) -> None:
    """Put all of ``content`` at ``path`` or nothing (OSError says why): every file kb writes
    whole, a base (``replace``, under its lock) or a picture, goes through here."""
    temporary = written_temporary(path, content)
    try:
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)
