"""Every write to a fact base: checked whole first, under an exclusive lock, replaced atomically.

A writer holds ``.NAME.lock`` beside the base (fcntl.flock) from the moment it reads the base
until the new version is in place, so two writers never both build on the same old version.
The new version goes to a temporary file in the same folder, is synced to disk, and is renamed
over the old one: a writer killed at any moment leaves the old file or the new one. Only a
writer holding the lock creates temporary files, so any the next writer finds under the lock
were left by a dead one, and it removes them.

A base named through a symbolic link is written where the link leads (lock, temporary file
and rename beside that file), so the link stays a link. Only a regular file that may be
written is: a FIFO, a device (/dev/stdin) or a read-only file is refused before anything is
read or made.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

import msgspec

from karabakh_cli import files, model
from karabakh_cli.base import canonical, factbase
from karabakh_cli.base.problems import FactBaseError, Problem
from karabakh_cli.lookup import credit_checks


class Invalid(Exception):
    """The write would leave an invalid fact base; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(problems[0].message)


def lock_file(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


def _temporary_pattern(path: Path) -> str:
    return f".{glob.escape(path.name)}.*.tmp"


def _cannot_write(path: Path, error: OSError) -> FactBaseError:
    return FactBaseError(str(path), [Problem(f"cannot write: {error.strerror or error}")])


def target(path: Path) -> Path:
    """The file a write to the base at ``path`` changes: where its symbolic links lead."""
    return Path(os.path.realpath(path))


def _regular(path: Path) -> os.stat_result:
    """The status of the regular file the base at ``path`` names; FactBaseError saying why
    there is none, before anything is read (a FIFO would block the read)."""
    try:
        return files.regular_status(path)
    except files.NotRegular as error:
        problem = f"{error.strerror}; kb writes a fact base only to a regular file"
        raise FactBaseError(str(path), [Problem(problem)]) from None
    except OSError as error:
        factbase.read(path)  # says why there is no base to write to, as a lookup would
        raise _cannot_write(path, error) from None


def _writable(path: Path) -> Path:
    """The regular file a write to the base at ``path`` goes to, once it is sure it may be
    written; FactBaseError saying why not, before anything is read or made."""
    status = _regular(path)
    real = target(path)
    # The mode too: a read-only file is not written even by root, whom os.access lets write.
    if not status.st_mode & 0o222 or not os.access(real, os.W_OK):
        mode = f"mode {stat.S_IMODE(status.st_mode):o}"
        problem = f"cannot write: the file is read-only ({mode}); nothing written"
        raise FactBaseError(str(path), [Problem(problem)])
    return real


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the exclusive lock of the base at ``path``, beside the file it names; clear what
    dead writers left."""
    real = _writable(path)
    try:
        handle = os.open(lock_file(real), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise _cannot_write(path, error) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        # A source's text is made beside the base as named (create), the new version beside
        # the file it names (replace): through a link, two folders.
        for named in {real, path}:
            for leftover in named.parent.glob(_temporary_pattern(named)):
                leftover.unlink(missing_ok=True)
        yield
    finally:
        os.close(handle)


@contextlib.contextmanager
def placed(files: Iterable[tuple[Path, bytes]], base: Path) -> Iterator[None]:
    """Put the files a write brings (a source's archived text) in place for the write in the
    block, so the base can be checked against them; remove them again if it fails.

    A file already there is left as it is: the caller has made sure it holds the same bytes.
    """
    created: list[Path] = []
    try:
        for file, content in files:
            with contextlib.suppress(FileExistsError):
                create(file, content, base=base)
                created.append(file)
        yield
    except BaseException:
        for file in created:
            file.unlink(missing_ok=True)
        raise


def check(content: bytes, folder: Path | None = None) -> None:
    """Refuse content with any error ``kb validate`` would report (warnings are allowed);
    with ``folder``, the fact base's, its archives and every excerpt are checked too."""
    errors = [
        problem
        for problem in factbase.diagnose(content, folder, [credit_checks.CreditChecker()])
        if problem.severity == "error"
    ]
    if errors:
        raise Invalid(errors)


def replace(path: Path, content: bytes) -> None:
    """Put ``content`` in the file the base at ``path`` names, atomically, a symbolic link
    kept as it is. The caller holds the lock (see ``locked``)."""
    try:
        files.put_atomically(target(path), content)
    except OSError as error:
        raise _cannot_write(path, error) from None


def create(path: Path, content: bytes, base: Path | None = None) -> None:
    """Put ``content`` at ``path`` atomically, only if nothing is there (FileExistsError).

    ``base`` is the fact base the file belongs to (a source's archive text), whose writer
    holds the lock; the temporary file is made beside it so its cleanup covers it too.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = files.written_temporary(base or path, content)
        try:
            # A hard link fails if the name exists, where a rename would replace it.
            os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        files.sync_folder(path.parent)
    except FileExistsError:
        raise
    except OSError as error:
        raise _cannot_write(path, error) from None


def reformat(path: Path, *, check_only: bool) -> bool:
    """Whether the base at ``path`` was (or, with ``check_only``, would be) rewritten in the
    canonical layout. Its content is kept exactly: the new text decodes to the same base.

    A base already canonical is only read, so a read-only one is no error; one to rewrite is
    read again under the lock, where another writer may have changed it first.
    """
    if not check_only:
        _regular(path)
    if _canonical(factbase.read(path), path) is None:
        return False
    if check_only:
        return True
    with locked(path):
        data = factbase.read(path)
        content = _canonical(data, path)
        if content is None:
            return False
        same = msgspec.json.decode(content, type=model.FactBase) == msgspec.json.decode(
            data, type=model.FactBase
        )
        if not same:
            raise FactBaseError(str(path), [Problem("reformatting would change the content")])
        replace(path, content)
    return True


def _canonical(data: bytes, path: Path) -> bytes | None:
    """The canonical text of the base ``data``, or None when it is that already."""
    content = canonical.text_of(canonical.decode(data, str(path))).encode()
    return None if content == data else content
