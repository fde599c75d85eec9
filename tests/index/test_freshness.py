"""An index is never stale and never trusted unchecked: edits, spoilt files and a base swapped
while it is read."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from karabakh_cli.base import factbase, integrity
from karabakh_cli.index import loading, location, needs, reader
from tests.index.conftest import NAME, no_say, quote_rows, whole


def count_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each time the integrity checks run: on a base read a batch at a time, or whole."""
    calls: list[int] = []

    def counting(real: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            return real(*args, **kwargs)

        return counted

    monkeypatch.setattr(
        integrity.IntegrityChecker, "finish", counting(integrity.IntegrityChecker.finish)
    )
    monkeypatch.setattr(integrity, "integrity_problems", counting(integrity.integrity_problems))
    return calls


def test_an_unchanged_large_base_is_checked_once(
    large: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index stands for the clean verdict: the second load skips the integrity checks."""
    calls = count_checks(monkeypatch)
    loading.load(large, None, no_say)
    loading.load(large, None, no_say)
    assert len(calls) == 1


def test_an_edit_keeping_size_and_mtime_is_seen(large: Path) -> None:
    """A same-size edit with the modification time put back still changes the answer."""
    loading.load(large, None, no_say)
    before = large.stat()
    text = large.read_text(encoding="utf-8")
    edited = text.replace('"id": "q-3", "speaker": "p-3"', '"id": "q-3", "speaker": "p-4"')
    assert edited != text and len(edited) == len(text)
    large.write_text(edited, encoding="utf-8")
    os.utime(large, ns=(before.st_atime_ns, before.st_mtime_ns))
    facts = loading.load(large, needs.ByName(NAME), no_say)
    assert "q-3" not in [row["id"] for row in quote_rows(facts, NAME)[:-2]]


def test_an_edit_breaking_a_reference_is_always_checked(large: Path) -> None:
    """After an edit that breaks a reference, the old index cannot vouch for the file."""
    loading.load(large, None, no_say)
    base = json.loads(large.read_text(encoding="utf-8"))
    base["quotes"][5]["speaker"] = "nobody"
    large.write_text(json.dumps(base), encoding="utf-8")
    with pytest.raises(factbase.FactBaseError, match="no person has the id 'nobody'"):
        loading.load(large, needs.ByName(NAME), no_say)


def _garbage(file: Path) -> None:
    file.write_bytes(b"not an index at all" * 100)


def _truncated(file: Path) -> None:
    data = file.read_bytes()
    file.write_bytes(data[: len(data) // 2])


def _foreign(file: Path) -> None:
    file.unlink()
    connection = sqlite3.connect(file)
    connection.execute("create table meta (name text, value)")
    connection.execute("insert into meta values ('key', 'something else')")
    connection.commit()
    connection.close()


def _old_version(file: Path) -> None:
    connection = sqlite3.connect(file)
    connection.execute(
        "update meta set value = replace(value, ?, ?) where name = 'key'",
        (
            f"\n{location.FORMAT}\n",
            f"\n{location.FORMAT - 1}\n",
        ),
    )
    connection.commit()
    connection.close()


@pytest.mark.parametrize("spoil", [_garbage, _truncated, _foreign, _old_version])
def test_a_spoilt_index_is_rebuilt_never_trusted(
    large: Path, monkeypatch: pytest.MonkeyPatch, spoil: Any
) -> None:
    """A corrupt, truncated, foreign or old-format index is not used; the base is checked and
    indexed again."""
    loading.load(large, None, no_say)
    file = location.location(large)
    assert file is not None
    spoil(file)
    assert reader.Index.open(large, large.stat()) is None
    calls = count_checks(monkeypatch)
    facts = loading.load(large, needs.ByName(NAME), no_say)
    assert quote_rows(facts, NAME) == quote_rows(whole(large), NAME)
    assert len(calls) == 2
    assert reader.Index.open(large, large.stat()) is not None


def test_a_base_flipped_while_read_never_leaves_a_clean_index_for_a_broken_file(
    large: Path, tmp_path: Path
) -> None:
    """With the base swapped by rename between lookups and reads, every lookup answers from
    what it read, and the broken file is refused afterwards, whatever index was left."""

    base = json.loads(large.read_text(encoding="utf-8"))
    base["quotes"][3]["speaker"] = "p-X"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(base), encoding="utf-8")
    target = tmp_path / "facts.json"
    target.symlink_to(large)
    stop = threading.Event()

    def flip() -> None:
        sides = (large, broken)
        turn = 0
        while not stop.is_set():
            staged = tmp_path / "staged.json"
            staged.unlink(missing_ok=True)
            staged.symlink_to(sides[turn % 2])
            staged.replace(target)
            turn += 1

    flipper = threading.Thread(target=flip, daemon=True)
    flipper.start()
    try:
        for _ in range(40):
            try:
                facts = loading.load(target, needs.ByName(NAME), no_say)
            except factbase.FactBaseError as error:
                assert "no person has the id 'p-X'" in str(error)
            else:
                assert all(quote.speaker != "p-X" for quote in facts.content.quotes)
    finally:
        stop.set()
        flipper.join(timeout=10)
    target.unlink()
    target.symlink_to(broken)
    with pytest.raises(factbase.FactBaseError, match="no person has the id 'p-X'"):
        loading.load(target, needs.ByName(NAME), no_say)
