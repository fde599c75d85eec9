"""Where the derived index of a fact base is kept, what it is valid for, and whether kb may
trust what it finds there. Never prints."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from karabakh_cli import __version__
from karabakh_cli.base import factbase
from karabakh_cli.base.problems import FactBaseError, Problem

# Below this size a base decodes and checks in a few milliseconds, less than opening an index
# costs; the built-in base (22 KB) never has one.
FROM_BYTES = 1024 * 1024
# Raised whenever what the index stores changes shape: an index of another format is rebuilt.
FORMAT = 13
# The coarsest step of a file's timestamps kb allows for (FAT's two seconds; HFS+, ext2 with
# small inodes and some network filesystems step by one). A base changed less than this
# before its index was built may change again without its status showing it: git's "racy"
# case, settled by comparing the base's content (see racy).
TIMESTAMP_STEP_NS = 2_000_000_000
# How long a run waits for another run building the same index before it answers without.
LOCK_WAIT_SECONDS = 120.0
_LOCK_POLL_SECONDS = 0.05
# The group and others may not write what kb trusts, as ssh asks of its keys' folders.
_WRITABLE_BY_OTHERS = stat.S_IWGRP | stat.S_IWOTH
_NO_FOLLOW: int = getattr(os, "O_NOFOLLOW", 0)
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | _NO_FOLLOW | os.O_CLOEXEC
# Where an open file can be opened again by name on Linux: the very file, even once renamed.
_OPEN_FILES = Path("/proc/self/fd")


def cache_folder() -> Path | None:
    """kb's folder in the user's cache, as the XDG base directory spec places it, or None
    where there is none: no home directory, as for a uid without a passwd entry and no HOME.

    The spec says a relative ``XDG_CACHE_HOME`` is invalid and to be ignored.
    """
    configured = Path(os.environ.get("XDG_CACHE_HOME", ""))
    if configured.is_absolute():
        return configured / "kb"
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):
        return None
    return home / ".cache" / "kb" if home.is_absolute() else None


def location(path: Path) -> Path | None:
    """Where the index of the fact base at ``path`` is kept, or None with no cache folder.

    One file per base path, named by a hash of the resolved path, so a rebuilt index replaces
    the old one rather than piling up beside it.
    """
    import hashlib

    folder = cache_folder()
    if folder is None:
        return None
    name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32]
    return folder / "index" / f"{name}.sqlite"


def key(path: Path, status: os.stat_result) -> str:
    """What an index is valid for: as git's index keys a file, and kb's version and format."""
    return "\n".join(map(str, (__version__, FORMAT, path.resolve(), *factbase.identity(status))))


def indexable(status: os.stat_result | None) -> bool:
    """Whether a file of this status is one kb keeps an index of: a regular file this large."""
    return status is not None and stat.S_ISREG(status.st_mode) and status.st_size >= FROM_BYTES


def racy(status: os.stat_result, started_ns: int) -> bool:
    """Whether the file of ``status`` may have changed after a build that started at
    ``started_ns`` without its status showing it: changed, by its own timestamps, less than
    a timestamp step before the build began (git's racy rule). The change time counts as well
    as the modification time, which anyone can set back."""
    *_, modified, changed = factbase.identity(status)
    return max(modified, changed) + TIMESTAMP_STEP_NS > started_ns


def content_digest(path: Path, status: os.stat_result) -> str | None:
    """The SHA-256 of the file at ``path``, or None unless it is the very file of ``status``
    (and a regular one)."""
    import hashlib

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or factbase.identity(opened) != factbase.identity(
            status
        ):
            return None
        digest = hashlib.sha256()
        while chunk := os.read(fd, 1024 * 1024):
            digest.update(chunk)
        same = factbase.identity(os.fstat(fd)) == factbase.identity(status)
        return digest.hexdigest() if same else None
    except OSError:
        return None
    finally:
        os.close(fd)


def open_base(path: Path) -> int:
    """The base at ``path`` open for reading its records where the index places them; never
    waiting on a FIFO put in its place. Raises OSError where it is not a regular file."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    return fd


def refusal() -> str | None:
    """Why kb's cache folders may not be trusted (another user owns one, or others may write
    in it, as ssh refuses for its keys), or None. A folder not made yet is no reason."""
    folder = cache_folder()
    if folder is None:
        return None
    for each in (folder, folder / "index"):
        try:
            status = each.stat()
        except OSError:
            # Missing, or not a folder: the build names what is wrong when it writes there.
            continue
        why = _untrusted(status, "folder")
        if why:
            return f"{each} {why}"
    return None


def _untrusted(status: os.stat_result, what: str) -> str | None:
    """Why a file or folder of this status is not one kb trusts, or None."""
    if status.st_uid != os.geteuid():
        return f"is owned by uid {status.st_uid}, not by you (uid {os.geteuid()})"
    if status.st_mode & _WRITABLE_BY_OTHERS:
        return f"is a {what} others may write in (mode {stat.S_IMODE(status.st_mode):o})"
    return None


@contextlib.contextmanager
def opened(file: Path) -> Iterator[tuple[int, str] | None]:
    """The index ``file`` open for reading, with a name SQLite can open that very file by,
    or None where it is not an index kb may read: not a regular file (a FIFO is never waited
    on, a link never followed), another user's, or one others may write."""
    try:
        fd = os.open(file, _OPEN_FLAGS)
    except OSError:
        yield None
        return
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or _untrusted(status, "file"):
            yield None
            return
        by_descriptor = _OPEN_FILES / str(fd)
        yield fd, str(by_descriptor if _OPEN_FILES.is_dir() else file)
    finally:
        os.close(fd)


def make_folder(file: Path) -> None:
    """Make the folders the index ``file`` goes in, kb's own readable and writable by the
    user alone."""
    folder = file.parent
    with contextlib.suppress(FileExistsError):
        # A file in the way is named by the mkdir below ("Not a directory").
        folder.parent.parent.mkdir(parents=True, exist_ok=True)
    for each in (folder.parent, folder):
        try:
            each.mkdir(mode=0o700)
        except FileExistsError:
            if not each.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR)) from None


def temporary_name(file: Path, token: str) -> Path:
    """Where a build of the index ``file`` writes, named by the builder's process id."""
    return file.with_name(f".{file.name}.{os.getpid()}.{token}.tmp")


def _builder_gone(temporary: str) -> bool:
    """Whether the process that named the temporary file ``temporary`` has ended."""
    parts = temporary.split(".")
    if len(parts) < 5 or not parts[-3].isdigit():
        return False
    try:
        os.kill(int(parts[-3]), 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False
    return False


def remove_leftovers(folder: Path, of: str = "") -> list[Path]:
    """Remove the temporary files in ``folder`` (of the index named ``of``, or of any) whose
    builder has ended: killed (SIGKILL, SIGTERM, SIGHUP) before it could remove them.
    The files removed."""
    removed: list[Path] = []
    try:
        names = [entry.name for entry in folder.iterdir()]
    except OSError:
        return removed
    for name in names:
        if name.startswith(f".{of}") and name.endswith(".tmp") and _builder_gone(name):
            with contextlib.suppress(FileNotFoundError):
                (folder / name).unlink()
                removed.append(folder / name)
    return removed


@contextlib.contextmanager
def building(file: Path) -> Iterator[bool]:
    """Hold the lock on building the index ``file``: True once held, False when other runs
    held it for LOCK_WAIT_SECONDS. Raises OSError where the lock file cannot be made.

    The lock file is removed by its holder before it lets go, so none is left behind; a run
    that locked a file since removed locks again (the usual dance of lock files that go)."""
    import fcntl

    lock = file.with_name(f".{file.name}.lock")
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | _NO_FOLLOW | os.O_CLOEXEC, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(_LOCK_POLL_SECONDS)
            if _same_file(fd, lock):
                try:
                    yield True
                finally:
                    lock.unlink(missing_ok=True)
                return
        finally:
            # Closing the file releases the lock.
            os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        status = path.lstat()
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (opened.st_dev, opened.st_ino) == (status.st_dev, status.st_ino)


def clear(path: Path) -> Path | None:
    """Remove the index of the base at ``path``, and the temporary files of builds of it that
    were killed; return where the index was (or a temporary file, if only those were), None
    if there was nothing. Raises FactBaseError, naming the file, where it cannot be removed
    (a folder in its place, a cache folder kb may not write)."""
    file = location(path)
    if file is None:
        return None
    leftovers = remove_leftovers(file.parent, file.name)
    try:
        if stat.S_ISDIR(os.lstat(file).st_mode):
            raise IsADirectoryError(21, "is a folder, not an index: kb leaves it to you")
        file.unlink()
    except FileNotFoundError:
        return leftovers[0] if leftovers else None
    except OSError as error:
        problem = Problem(f"cannot remove the index: {error.strerror or error}")
        raise FactBaseError(str(file), [problem]) from None
    return file
