"""Files as kb reads and writes them: regular files only, how much it reads whole at most,
counted as it reads, and writes of all the content or nothing, synced to disk.

A leaf below every layer: the writes to a fact base (curate.writing), the archived texts
(base.archive, kb add source --text) and the pictures a listing is saved as (output.render)
all go through here.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

MIB = 1024 * 1024
# The most kb reads whole of any file, a fact base or an archived text. Far above any real one
# (100,000 quotes is about 76 MB), low enough to refuse a wrong file before decoding it whole (a
# decoded base takes several times its size in memory).
MAX_BYTES = 512 * MIB

# What a file that is not a regular one is, in a message.
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotRegular(OSError):
    """A path that is not a regular file: a directory, a FIFO, a device or a socket. kb reads
    and writes regular files only, so a FIFO never hangs it and a device is never read on
    without end. ``strerror`` says what the path is."""

    def __init__(self, path: Path, mode: int) -> None:
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        super().__init__(errno.EINVAL, f"it is {kind}, not a regular file", str(path))
        self.kind = kind


class TooLarge(OSError):
    """A file over the most kb reads whole of it; ``strerror`` says so."""

    def __init__(self, path: Path, limit: int) -> None:
        super().__init__(errno.EFBIG, f"it holds more than {limit // MIB} MiB", str(path))
        self.limit = limit


def regular_status(path: Path) -> os.stat_result:
    """The status of the regular file at ``path`` (a symbolic link is followed); NotRegular
    for anything else, OSError when it cannot be looked at."""
    status = path.stat()
    if not stat.S_ISREG(status.st_mode):
        raise NotRegular(path, status.st_mode)
    return status


def read_regular(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them (TooLarge past it,
    counted as it reads, so a file that grows is cut off too); NotRegular for anything else.

    The file is opened without waiting (a FIFO with no writer would block the open) and its
    type is taken from the open file, so nothing moved into place after a look at the path
    is read.
    """
    if stat.S_ISSOCK(path.stat().st_mode):
        raise NotRegular(path, stat.S_IFSOCK)  # a socket cannot be opened to say so
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):
            raise NotRegular(path, status.st_mode)
    except BaseException:
        os.close(handle)
        raise
    with os.fdopen(handle, "rb", buffering=0) as file:
        if status.st_size > limit:
            raise TooLarge(path, limit)
        os.set_blocking(handle, True)
        chunks: list[bytes] = []
        total = 0
        step = status.st_size + 1  # a file that keeps its size is read in one piece
        while chunk := file.read(min(step, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise TooLarge(path, limit)
            step = MIB
    return b"".join(chunks)


def holds(path: Path, content: bytes) -> bool:
    """Whether the file at ``path`` holds exactly ``content``: a FIFO, a device or a larger
    file holds something else, and is never read on to find out."""
    try:
        return read_regular(path, len(content)) == content
    except (NotRegular, TooLarge):
        return False


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
    whole, a base (``replace``, under its lock) or a picture, goes through here.

    A symbolic link is written through, and stays a link; a path that is not a regular file
    (a FIFO, a device such as /dev/stdout) is refused (NotRegular), never replaced by one.
    """
    path = Path(os.path.realpath(path))
    with contextlib.suppress(FileNotFoundError):
        regular_status(path)
    temporary = written_temporary(path, content)
    try:
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)
