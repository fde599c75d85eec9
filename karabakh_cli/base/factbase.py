"""Find, read and check a fact base, whole or a batch of records at a time. Never prints;
every failure is a FactBaseError, but for a file that only a whole read can take
(batches.NotStreamable, which scan's callers answer by reading it whole)."""

from __future__ import annotations

import contextlib
import gc
import os
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import msgspec

from karabakh_cli import files, model
from karabakh_cli.base import checks, integrity
from karabakh_cli.base.problems import FactBaseError, Problem, syntax_error

if TYPE_CHECKING:
    from karabakh_cli.base import batches

# jsonpos is imported where a problem needs a line and column: a clean load never does.

# What a base read a batch at a time (scan) may hold: its memory grows with the number of
# records (their ids, names and references), about 0.4 GiB at a million quotes.
MAX_SCANNED_BYTES = 2048 * files.MIB


def builtin_path() -> Path:
    """The fact base that ships with kb: inside the package when installed from a wheel,
    at the repository root in a checkout."""
    package = Path(__file__).parent.parent
    installed = package / "facts.json"
    return installed if installed.is_file() else package.parent / "facts.json"


def read(path: Path) -> bytes:
    """The bytes of a fact base file, or a FactBaseError saying why it cannot be read."""
    return _read(path)[0]


def _read(path: Path) -> tuple[bytes, os.stat_result | None]:
    """The bytes of a fact base file and the status of the very file they came from (None
    if it changed while it was read), or a FactBaseError saying why it cannot be read.

    The file is opened once and both come from the open file: a file moved into place
    between a look at the path and the read cannot pass for the one looked at.
    """
    label = str(path)
    with _reading(label), path.open("rb") as file:
        status = os.fstat(file.fileno())
        if stat.S_ISREG(status.st_mode) and status.st_size > files.MAX_BYTES:
            raise _too_large(label, f"is {status.st_size // files.MIB} MiB")
        data = _read_at_most(file, files.MAX_BYTES + 1, status.st_size)
        if len(data) > files.MAX_BYTES:
            raise _too_large(label, f"holds more than {files.MAX_BYTES // files.MIB} MiB")
        after = os.fstat(file.fileno())
    if data.isspace() or not data:
        raise FactBaseError(label, [Problem("file is empty; expected a JSON object")])
    return data, status if identity(after) == identity(status) else None


@contextlib.contextmanager
def _reading(label: str) -> Iterator[None]:
    """Why the fact base file ``label`` cannot be opened or read, as a FactBaseError."""
    try:
        yield
    except IsADirectoryError:
        raise FactBaseError(label, [Problem("is a directory, not a fact base file")]) from None
    except FileNotFoundError:
        raise FactBaseError(label, [Problem("no such file")]) from None
    except OSError as error:
        raise FactBaseError(label, [Problem(error.strerror or str(error))]) from None


def _too_large(label: str, what: str, limit: int | None = None) -> FactBaseError:
    most = (limit or files.MAX_BYTES) // files.MIB
    return FactBaseError(label, [Problem(f"file {what}; kb reads at most {most} MiB")])


def _read_at_most(file: BinaryIO, limit: int, size: int) -> bytes:
    """Up to ``limit`` bytes of ``file``, however long it runs (a pipe, /dev/zero).

    A regular file of ``size`` bytes is read in one piece, so its bytes are never copied;
    only a stream, or a file that grew, is read in chunks and joined.
    """
    first = file.read(min(size + 1, limit)) if size else b""
    if size and len(first) <= size:
        return first
    chunks = [first]
    total = len(first)
    while total < limit and (chunk := file.read(min(files.MIB, limit - total))):
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def identity(status: os.stat_result) -> tuple[int, int, int, int, int]:
    """What changes when a file is edited or replaced: as git's index keys a file."""
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def _syntax_problem(data: bytes, error: Exception) -> Problem:
    """A JSON syntax error with the line and column msgspec's byte offset points at."""
    from karabakh_cli.base.positions import line_column_of_byte

    message = str(error)
    if isinstance(error, RecursionError):
        return Problem("JSON nests too deeply to be a fact base")
    if message == "Input data was truncated":
        line, column = line_column_of_byte(data, len(data))
        return Problem("JSON ends too early: the file is truncated", line=line, column=column)
    described, offset = syntax_error(error)
    if offset is None:
        return Problem(f"invalid JSON: {described}")
    line, column = line_column_of_byte(data, offset)
    return Problem(f"invalid JSON: {described}", line=line, column=column)


def parse(data: bytes) -> tuple[str, object]:
    """Decode JSON text without the model; raise FactBaseError on bad encoding or syntax."""
    if data.startswith(b"\xef\xbb\xbf"):
        problem = Problem(
            "file starts with a byte-order mark; save it as UTF-8 without BOM", line=1, column=1
        )
        raise FactBaseError("", [problem])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        from karabakh_cli.base.positions import line_column_of_byte

        line, column = line_column_of_byte(data, error.start)
        byte = data[error.start]
        raise FactBaseError(
            "", [Problem(f"invalid UTF-8 byte 0x{byte:02x}", line=line, column=column)]
        ) from None
    try:
        return text, msgspec.json.decode(data)
    except (msgspec.DecodeError, RecursionError) as error:
        raise FactBaseError("", [_syntax_problem(data, error)]) from None


def diagnose(
    data: bytes, folder: Path | None = None, more: Sequence[integrity.Checker] = ()
) -> list[Problem]:
    """Every problem of a fact base's bytes, errors and warnings, with lines where known.

    With ``folder``, the fact base file's folder, each source's archived text is checked too,
    and every excerpt against it; ``more`` are the checks of layers above (attribution).
    """
    with no_garbage_collection():
        try:
            # A base that decodes as typed has no structural problems: skip the field-by-field
            # pass and the untyped decode it needs.
            base = msgspec.json.decode(data, type=model.FactBase)
            records = checks.numbered(base)
            typed: model.FactBase | None = base
            problems: list[Problem] = []
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            typed = None
            try:
                _, raw = parse(data)
            except FactBaseError as error:
                return error.problems
            problems = checks.structure_problems(raw)
            if not isinstance(raw, dict):
                return problems
            records = checks.numbered_from_raw(raw)
        warn = not problems
        problems += repeated_key_problems(data, typed)
        problems += integrity.integrity_problems(records, warn=warn)
        if folder is not None:
            problems += integrity.archive_problems(records, folder, warn=warn)
        problems += integrity.more_problems(records, more)
    return _place_in_text(data.decode("utf-8"), list(dict.fromkeys(problems))) if problems else []


def repeated_key_problems(data: bytes, base: model.FactBase | None) -> list[Problem]:
    """A problem for each key given twice in one object of the fact base's bytes, placed: a
    decoder would keep the last value given and drop the others unseen.

    ``base`` is what the bytes decode to as typed, which makes the look quick (see keys.py);
    any other JSON text (None) is scanned key by key.
    """
    from karabakh_cli.base import keys

    if base is not None:
        found = keys.repeated_in_base(data, base)
    else:
        found = [("", repeated) for repeated in keys.repeated_keys(data)]
    if not found:
        return []
    from karabakh_cli.base.positions import line_columns_of_bytes

    places = line_columns_of_bytes(data, (repeated.offset for _, repeated in found))
    return [
        Problem(
            f"{record}: {repeated.message}" if record else repeated.message,
            line=places[repeated.offset][0],
            column=places[repeated.offset][1],
        )
        for record, repeated in found
    ]


def _place_in_text(text: str, problems: list[Problem]) -> list[Problem]:
    """Problems with the line and column of their value, in the order of the file."""
    from karabakh_cli.base.positions import line_columns

    unplaced = [problem for problem in problems if problem.line is None]
    positions = line_columns(text, (problem.path for problem in unplaced))
    return _with_places(problems, {problem: positions.get(problem.path) for problem in unplaced})


def _with_places(
    problems: list[Problem], places: Mapping[Problem, tuple[int, int] | None]
) -> list[Problem]:
    """``problems`` with the line and column ``places`` gives each, in the order of the file."""
    located = [
        msgspec.structs.replace(problem, line=where[0], column=where[1])
        if (where := places.get(problem))
        else problem
        for problem in problems
    ]
    return sorted(located, key=lambda problem: (problem.line or 0, problem.column or 0))


def _first_problem(label: str, data: bytes, error: Exception) -> FactBaseError:
    """The error for a base that failed the typed decode: the first problem in the file.

    A lookup shows one problem, so only that one is looked for, at the cost of one untyped
    decode; finding every problem is ``kb validate``'s work.
    """
    try:
        _, raw = parse(data)
    except FactBaseError as unreadable:
        return FactBaseError(label, unreadable.problems)
    found = (
        checks.first_structure_problem(raw, error)
        if isinstance(error, msgspec.ValidationError)
        else None
    )
    return FactBaseError(label, [found or Problem(str(error))], more_may_follow=True)


def load(
    path: Path, passed_before: Callable[[os.stat_result], bool] | None = None
) -> model.FactBase:
    """Read a fact base whole, decode and check it; raise FactBaseError naming every error
    found.

    The typed decode is the fast path; only a base that fails it is decoded a second time,
    to name its first problem. The integrity checks are skipped for a file that
    ``passed_before`` says passed them already: the derived index (index.py) keeps that.
    """
    label = str(path)
    data, status = _read(path)
    with no_garbage_collection():
        try:
            base = msgspec.json.decode(data, type=model.FactBase)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as error:
            raise _first_problem(label, data, error) from None
        if status is not None and passed_before is not None and passed_before(status):
            return base
        errors = repeated_key_problems(data, base)
        errors += integrity.integrity_problems(checks.numbered(base), warn=False)
    if errors:
        raise FactBaseError(label, errors)
    return base


def scan(
    path: Path,
    consume: Callable[[batches.Batch], None],
    advance: Callable[[int], None] = lambda step: None,
) -> os.stat_result | None:
    """Read the fact base at ``path`` a batch of records at a time, never whole, check it and
    hand each batch to ``consume``, telling ``advance`` how many bytes each batch took; return
    the status of the very file read (None if it changed while it was read). Raise
    FactBaseError naming the errors found, as load does.

    Raise batches.NotStreamable for a file a batch-wise read cannot take that is no larger
    than files.MAX_BYTES: the caller reads it whole (load), which names its problem as every lookup
    of a smaller base does. A larger one's first problem is a FactBaseError.
    """
    checker = integrity.IntegrityChecker(warn=False)
    status = _scan(path, checker, consume, advance)
    errors = checker.finish()
    if errors:
        raise FactBaseError(str(path), errors)
    return status


def _scan(
    path: Path,
    checker: integrity.IntegrityChecker,
    consume: Callable[[batches.Batch], None],
    advance: Callable[[int], None],
) -> os.stat_result | None:
    """Feed ``checker`` and ``consume`` every batch of the file (see scan). A file the
    batch-wise read cannot take raises NotStreamable if it can be read whole, else a
    FactBaseError with its first problem (``more_may_follow``)."""
    from karabakh_cli.base import batches

    label = str(path)
    try:
        with _reading(label), path.open("rb") as file:
            status = os.fstat(file.fileno())
            if stat.S_ISREG(status.st_mode) and status.st_size > MAX_SCANNED_BYTES:
                raise _too_large(label, f"is {status.st_size // files.MIB} MiB", MAX_SCANNED_BYTES)
            done = 0
            with no_garbage_collection():
                for batch in batches.Reader(file, MAX_SCANNED_BYTES).batches():
                    checker.feed(batch.kind, batch.first_index, batch.records)
                    consume(batch)
                    advance(batch.end - done)
                    done = batch.end
            after = os.fstat(file.fileno())
    except batches.TooLarge:
        what = f"holds more than {MAX_SCANNED_BYTES // files.MIB} MiB"
        raise _too_large(label, what, MAX_SCANNED_BYTES) from None
    except batches.NotStreamable as error:
        if status.st_size <= files.MAX_BYTES:
            raise
        line, column = error.where or (None, None)
        problem = Problem(error.message, line=line, column=column)
        raise FactBaseError(label, [problem], more_may_follow=True) from None
    return status if identity(after) == identity(status) else None


def diagnose_file(path: Path, more: Sequence[integrity.Checker] = ()) -> list[Problem]:
    """Every problem of the fact base file at ``path`` and of its sources' archived texts,
    errors and warnings, with lines where known (as diagnose finds them).

    Read a batch at a time, so a base of any size is checked in bounded memory; only a file
    that cannot be read so, no larger than files.MAX_BYTES, is read whole to name its problems.
    Raise FactBaseError where the file cannot be read at all.
    """
    try:
        regular = stat.S_ISREG(path.stat().st_mode)
    except OSError:
        regular = False
    if not regular:
        # A pipe cannot be read twice; read cannot read a folder and says so.
        return diagnose(read(path), path.parent, more)
    from karabakh_cli.base import batches

    checker = integrity.IntegrityChecker(warn=True, folder=path.parent, more=more)
    try:
        _scan(path, checker, lambda batch: None, lambda step: None)
    except batches.NotStreamable:
        return diagnose(read(path), path.parent, more)
    except FactBaseError as error:
        if not error.more_may_follow:
            raise
        # Too large to read whole: the first problem that stops a batch-wise read is all
        # that can be told.
        return error.problems
    problems = list(dict.fromkeys(checker.finish()))
    return _place_in_file(path, problems) if problems else []


def _place_in_file(path: Path, problems: list[Problem]) -> list[Problem]:
    """Problems with the line and column of their value, in the order of the file: the file
    read once more a batch at a time, each record at fault placed within its own text."""
    from karabakh_cli.base import batches

    wanted: dict[tuple[str, int], list[Problem]] = {}
    for problem in problems:
        if len(problem.path) >= 2 and isinstance(problem.path[1], int):
            wanted.setdefault((str(problem.path[0]), problem.path[1]), []).append(problem)
    try:
        placed = _places_in_file(path, wanted)
    except (OSError, ValueError, batches.NotStreamable, batches.TooLarge):
        # Read again to place the problems, the file had changed or gone since (a ValueError:
        # a record no longer where it was).
        problem = Problem("changed while it was checked; run kb validate again")
        raise FactBaseError(str(path), [problem]) from None
    return _with_places(problems, placed)


def _places_in_file(
    path: Path, wanted: dict[tuple[str, int], list[Problem]]
) -> dict[Problem, tuple[int, int]]:
    """The line and column of each problem ``wanted`` lists by its record, read from the file
    at ``path`` once more a batch at a time."""
    from karabakh_cli.base import batches
    from karabakh_cli.base.positions import line_columns

    placed: dict[Problem, tuple[int, int]] = {}
    with path.open("rb") as file:
        reader = batches.Reader(file, MAX_SCANNED_BYTES)
        for batch in reader.batches():
            collection = batch.kind.collection
            last = batch.first_index + len(batch.records)
            if not any((collection, index) in wanted for index in range(batch.first_index, last)):
                continue
            for (index, text), offset in zip(
                enumerate(batch.texts, start=batch.first_index), reader.offsets(batch), strict=True
            ):
                at_fault = wanted.get((collection, index), [])
                if not at_fault:
                    continue
                line, column = reader.where(offset)
                inside = line_columns(
                    bytes(text).decode(), [problem.path[2:] for problem in at_fault]
                )
                for problem in at_fault:
                    found = inside.get(problem.path[2:])
                    if found:
                        placed[problem] = (
                            line + found[0] - 1,
                            column + found[1] - 1 if found[0] == 1 else found[1],
                        )
    return placed


@contextlib.contextmanager
def no_garbage_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while a base is built (or indexed).

    Decoding creates hundreds of thousands of objects and no cycles; left on, the collector
    rescans them again and again and more than doubles the load time of a large base.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
