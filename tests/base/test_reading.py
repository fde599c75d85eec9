"""Reading a fact base safely: the size limit holds while reading, what kb remembers about a
file is about the very file it read, and a file changed while it is checked is said to be."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from karabakh_cli import files
from karabakh_cli.base import factbase
from tests.conftest import FACTS, Invoke, bench_generator

SMALL_LIMIT = 1024 * 1024


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    """A size limit small enough that a test can exceed it in a moment."""
    monkeypatch.setattr(files, "MAX_BYTES", SMALL_LIMIT)
    monkeypatch.setattr(factbase, "MAX_SCANNED_BYTES", SMALL_LIMIT)
    return SMALL_LIMIT


@pytest.fixture
def endless_fifo(tmp_path: Path) -> Iterator[Path]:
    """A named pipe a thread keeps writing to until the reader goes away."""
    fifo = tmp_path / "facts.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        try:
            with fifo.open("wb") as out:
                while True:
                    out.write(b" " * 65536)
        except OSError:
            return

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    yield fifo
    # Opening the pipe for reading unblocks a writer still waiting for a reader.
    os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
    writer.join(timeout=10)


def test_an_endless_device_is_refused_at_the_limit(invoke: Invoke, small_limit: int) -> None:
    """/dev/zero reports size 0 but never ends: kb stops at the limit, exit 3, one line."""
    result = invoke("--facts", "/dev/zero", "quote", "Putin")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "kb: /dev/zero: file holds more than 1 MiB; kb reads at most 1 MiB"
    ]


def test_an_endless_pipe_is_refused_at_the_limit(
    invoke: Invoke, small_limit: int, endless_fifo: Path
) -> None:
    """A pipe has no size to check beforehand: the limit is enforced as it is read."""
    result = invoke("--facts", str(endless_fifo), "quote", "Putin")
    assert result.exit_code == 3
    assert len(result.stderr.splitlines()) == 1
    assert "kb reads at most" in result.stderr


def test_a_regular_file_over_the_limit_is_refused(
    invoke: Invoke, small_limit: int, tmp_path: Path
) -> None:
    """A file larger than the limit is refused before it is read, with its size."""
    large = tmp_path / "large.json"
    large.write_bytes(b" " * (3 * 1024 * 1024))
    result = invoke("--facts", str(large), "quote", "Putin")
    assert result.exit_code == 3
    assert result.stderr == f"kb: {large}: file is 3 MiB; kb reads at most 1 MiB\n"


def test_a_base_through_a_pipe_is_read_whole(invoke: Invoke, tmp_path: Path) -> None:
    """A fact base that arrives through a pipe, in many chunks, answers like the file."""
    fifo = tmp_path / "facts.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(FACTS.read_bytes()), daemon=True)
    writer.start()
    result = invoke("--facts", str(fifo), "quote", "Putin", "--json")
    writer.join(timeout=10)
    assert result.exit_code == 0, result.stderr
    assert '"Vladimir Putin"' in result.stdout


@pytest.fixture
def clean_and_broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Two large bases of the same size: one clean, one whose quote names nobody."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    clean = bench_generator().write(2000, tmp_path / "bases")
    data = clean.read_bytes()
    assert b'"speaker": "p-5"' in data
    broken = tmp_path / "bases" / "broken.json"
    # Same length, so nothing but the content tells the two apart.
    broken.write_bytes(data.replace(b'"speaker": "p-5"', b'"speaker": "p-X"', 1))
    return clean, broken


def _flip(target: Path, versions: tuple[Path, Path], stop: threading.Event) -> None:
    """Point ``target`` at each version in turn, renaming a new link into place as `mv`
    would, until told to stop. The versions themselves keep their inode and change times,
    so a verdict remembered for one stays valid for it: the race is only in the path."""
    spare = target.with_suffix(".next")
    turn = 0
    while not stop.is_set():
        spare.unlink(missing_ok=True)
        spare.symlink_to(versions[turn % 2])
        spare.replace(target)
        turn += 1


def test_a_file_swapped_during_loads_is_never_trusted_unchecked(
    clean_and_broken: tuple[Path, Path], tmp_path: Path
) -> None:
    """With the base flipped by rename while kb loads it, every load either passes the checks
    on what it read or names the broken reference; afterwards the broken one is still refused."""
    clean, broken = clean_and_broken
    target = tmp_path / "facts.json"
    target.symlink_to(clean)
    stop = threading.Event()
    flipper = threading.Thread(target=_flip, args=(target, (clean, broken), stop), daemon=True)
    flipper.start()
    outcomes = {"loaded": 0, "refused": 0}
    try:
        for _ in range(150):
            try:
                base = factbase.load(target)
            except factbase.FactBaseError as error:
                assert "no person has the id 'p-X'" in str(error)
                outcomes["refused"] += 1
            else:
                # A base that loads is the clean one, whatever the path held meanwhile.
                assert all(quote.speaker != "p-X" for quote in base.quotes)
                outcomes["loaded"] += 1
    finally:
        stop.set()
        flipper.join(timeout=10)
    assert sum(outcomes.values()) == 150
    target.unlink()
    target.symlink_to(broken)
    with pytest.raises(factbase.FactBaseError, match="no person has the id 'p-X'"):
        factbase.load(target)


def test_a_base_changed_while_validate_places_its_problems_says_so(
    invoke: Invoke, large: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kb validate reads a base once to check it and once more to place its problems: a file
    changed in between is one line and exit 3, never a traceback."""

    def changed(*args: Any) -> None:
        raise ValueError("subsection not found")

    monkeypatch.setattr(factbase, "_places_in_file", changed)
    result = invoke("validate", str(large))
    assert result.exit_code == 3
    assert result.stderr == (f"kb: {large}: changed while it was checked; run kb validate again\n")
