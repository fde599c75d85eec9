"""The derived index of a large fact base: an SQLite file in the user's cache that answers a
lookup by reading a few of its pages instead of decoding the whole base. Never prints.

facts.json stays the one source of truth. The index is derived from it after it passed the
integrity checks, so an index that exists for a file also says that this file is clean (it
replaces the remembered verdict: one cache, not two). It is keyed like git's index on the
file actually opened: kb's version, the index format, the file's resolved path, device,
inode, size and modification and change times in nanoseconds. Any edit changes the change
time, so an edited base is never answered from a stale index. An index is built into a
temporary file and renamed into place, so runs at once never see half of one; a file that is
truncated, foreign, of another format or of another version of the base is rebuilt, never
trusted. Nor is one changed after it was written (seal.py), one whose records are not where it
says in the base (reader.py), one that may not know of the base's last change (git's racy
rule), or one in a cache others may write (location.py); docs/index.md says it for users.

A lookup answered from the index runs today's query code on a *partial* base: the records
the query can reach, and those its rows refer to, in the order of the file. The index only
preselects; it must select a superset of what can match, and the scoring is the same code as
an unindexed lookup's, so the answers are the same. The tables and how they are filled are
builder.py's (and search.py's); when a base is read, checked and indexed is here
(load, build).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import msgspec

from karabakh_cli import files
from karabakh_cli.base import factbase
from karabakh_cli.base.problems import FactBaseError, Problem
from karabakh_cli.index import builder, location, reader
from karabakh_cli.index.builder import Progress
from karabakh_cli.index.needs import (
    Wanted,
)
from karabakh_cli.index.reader import Index
from karabakh_cli.lookup.loaded import LoadedBase

if TYPE_CHECKING:
    # sqlite3 (as hashlib and secrets) costs milliseconds to import, and the batch reader one:
    # only a base large enough to be indexed pays them.

    from karabakh_cli.base import batches

# Building the index of a smaller base takes a fraction of a second: not worth a line.
SHOWN_FROM_BYTES = 16 * files.MIB

Say = Callable[[str], None]


@contextlib.contextmanager
def _quiet(description: str, total: int) -> Iterator[Callable[[int], None]]:
    yield lambda step: None


def load(
    path: Path,
    wanted: Wanted | None,
    say: Say,
    progress: Progress = _quiet,
) -> LoadedBase:
    """The fact base at ``path`` for a lookup: from its index when there is a valid one and
    the lookup is one the index answers, else read whole. A large base without a valid index
    is first read a batch at a time, checked and indexed, never held whole.

    ``say`` gets one line when the index cannot be written; the answer comes all the same.
    """
    try:
        # Never opened here: a named pipe opened twice would lose what its writer sent. An
        # answer from the index reads nothing of the file; an index is only ever built keyed
        # on the status of the file factbase actually read.
        status: os.stat_result | None = path.stat()
    except OSError:
        # factbase.load names the problem in its own words.
        status = None
    if status is None or not location.indexable(status) or location.location(path) is None:
        return LoadedBase(factbase.load(path), path)
    refused = location.refusal()
    if refused:
        say(f"no index for {path}: {refused}; answering without it")
        return LoadedBase(factbase.load(path), path)
    index = Index.open(path, status)
    found, index = _answer(index, path, wanted)
    if found is not None:
        return found
    trusted = index.key if index else None
    if index is not None:
        index.close()
    else:
        from karabakh_cli.base.batches import NotStreamable

        try:
            read = _build(
                path,
                status,
                progress,
                lambda why: say(f"no index for {path}: {why}; answering without it"),
            )
        except NotStreamable:
            return LoadedBase(factbase.load(path), path)
        if read is not None:
            trusted = location.key(path, read)
            # Answered from the index just built, as every later run will be.
            # Left open, as it closes once unreferenced: kb people reads it row by row.
            found, _ = _answer(Index.open(path, read), path, wanted)
            if found is not None:
                return found
    if status.st_size > files.MAX_BYTES:
        size, most = status.st_size / files.MIB, files.MAX_BYTES // files.MIB
        message = f"file is {size:,.1f} MiB: this lookup reads the whole base, at most {most} MiB"
        raise FactBaseError(str(path), [Problem(message)])
    base = factbase.load(path, passed_before=lambda status: trusted == location.key(path, status))
    return LoadedBase(base, path)


def build(path: Path, progress: Progress, unbuilt: Say) -> None:
    """Read, check and index the base at ``path`` now, as its first lookup would (kb index);
    ``unbuilt`` hears why when no index can be written. Raises FactBaseError for a base with
    errors, or one that cannot be read."""
    try:
        status = path.stat()
        indexable = location.indexable(status)
    except OSError:
        indexable = False
    if not indexable:
        # Names the problem in its own words; a small base needs no index.
        factbase.load(path)
        return
    from karabakh_cli.base.batches import NotStreamable

    try:
        _build(path, status, progress, unbuilt)
    except NotStreamable:
        factbase.load(path)


def _build(
    path: Path, status: os.stat_result, progress: Progress, unbuilt: Say
) -> os.stat_result | None:
    """Read, check and index the base at ``path`` a batch at a time; the status of the file
    indexed, None where no index could be written (``unbuilt`` hears why) or the
    file changed while it was read. Raises FactBaseError for a base with errors."""
    import sqlite3

    shown = progress if status.st_size >= SHOWN_FROM_BYTES else _quiet
    file = location.location(path)
    if file is None:
        return None
    try:
        location.make_folder(file)
        with location.building(file) as held:
            if not held:
                unbuilt("another kb has been building it for too long")
                return None
            # Another run may have built it while this one waited for the lock.
            meanwhile = Index.open(path, status)
            if meanwhile is not None:
                meanwhile.close()
                return status
            return _build_now(path, status, shown, unbuilt)
    except (OSError, sqlite3.Error) as error:
        unbuilt(_unwritable(path, error))
        return None


def _build_now(
    path: Path, status: os.stat_result, shown: Progress, unbuilt: Say
) -> os.stat_result | None:
    """_build's work, the lock held."""
    import sqlite3

    started = time.time_ns()
    # A base changed just before the build may change again unseen (location.racy): its
    # content is recorded, as read before the build, so that later runs can compare it.
    digest = location.content_digest(path, status) if location.racy(status, started) else None
    try:
        writer = builder.Builder(path)
    except (OSError, sqlite3.Error) as error:
        unbuilt(_unwritable(path, error))
        return None
    failure: list[Exception] = []
    moved: list[ValueError] = []

    def add(batch: batches.Batch) -> None:
        # A full disk half-way stops the index, not the checks: the answer comes all the same.
        if not failure and not moved:
            try:
                writer.add(batch)
            except (OSError, sqlite3.Error) as error:
                failure.append(error)
            except ValueError as error:
                # The base no longer holds the records where the scan read them.
                moved.append(error)

    with writer, shown(f"indexing {path.name}", status.st_size) as advance:
        read = factbase.scan(path, add, advance)
        # The records are placed in the very file the scan read, unchanged since.
        if read is None or moved or not _same(writer.base_status(), read):
            return None
        if location.racy(read, started):
            vouched = _vouched(path, status, read, started, digest)
            if vouched is None:
                return None
            started, digest = vouched
        if not failure:
            try:
                writer.commit(location.key(path, read), started, digest)
                return read
            except (OSError, sqlite3.Error) as error:
                failure.append(error)
    unbuilt(_unwritable(path, failure[0]))
    return None


def _same(status: os.stat_result, other: os.stat_result) -> bool:
    return factbase.identity(status) == factbase.identity(other)


def _vouched(
    path: Path, status: os.stat_result, read: os.stat_result, started: int, digest: str | None
) -> tuple[int, str] | None:
    """For an index built of a file changed just before (location.racy), the start time and
    content digest to record, or None where the file read may not be the one whose content
    was recorded (it is then not kept). Where a timestamp step has passed since that change,
    the content is compared again now: the same, the index is as safe as any built later."""
    if digest is None or not _same(read, status):
        return None
    *_, modified, changed = factbase.identity(read)
    now = time.time_ns()
    if max(modified, changed) + location.TIMESTAMP_STEP_NS > now:
        return started, digest
    if location.content_digest(path, read) != digest:
        return None
    return now, digest


def _unwritable(path: Path, error: Exception) -> str:
    """Why no index of the base at ``path`` could be written."""
    file = location.location(path)
    folder = file.parent if file else path.parent
    reason = getattr(error, "strerror", None) or str(error)
    return f"cannot write in {folder}: {reason}"


def _answer(
    index: Index | None, path: Path, wanted: Wanted | None
) -> tuple[LoadedBase | None, Index | None]:
    """What ``index`` answers for ``wanted`` (None where it cannot tell), and the index,
    None once found damaged past what opening it checks (it is then closed)."""
    if index is None or wanted is None:
        return None, index
    try:
        return index.facts(path, wanted), index
    except reader.damage():
        index.close()
        return None, None


class Description(msgspec.Struct, frozen=True):
    """What `kb index` shows of an index."""

    file: str
    base: str
    bytes: int
    records: dict[str, int]


class Unindexed(NamedTuple):
    """Why a base has no index now, and whether a lookup would build one."""

    reason: str
    buildable: bool = False


def describe(path: Path) -> Description | Unindexed:
    """The index of the base at ``path`` as it is now, or why it has none."""
    try:
        status = path.stat()
    except OSError as error:
        return Unindexed(error.strerror or str(error))
    if not location.indexable(status):
        return Unindexed(f"a base under {location.FROM_BYTES // files.MIB} MiB is read whole")
    file = location.location(path)
    if file is None:
        return Unindexed("there is no cache folder (no home directory, no absolute XDG_CACHE_HOME)")
    refused = location.refusal()
    if refused:
        return Unindexed(refused)
    found = Index.open(path, status)
    if found is None:
        return Unindexed("not built yet", buildable=True)
    try:
        summary = found.summary()
    finally:
        found.close()
    return Description(str(file), str(path.resolve()), file.stat().st_size, summary)
