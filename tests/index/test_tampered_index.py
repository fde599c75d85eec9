"""A changed, forged or bit-flipped index is never believed: every lookup command answers as
from a fresh cache, and the index is built again. A record that no longer decodes in an index
that looks whole means the same: rebuild, never a traceback."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from karabakh_cli.index import location, reader, seal
from tests.index.conftest import LOOKUPS, answers


def _built(path: Path) -> tuple[Path, bytes]:
    """The index of the base at ``path``, built by a lookup, and its bytes."""
    assert answers(path, "quote", "Davit Petrosyan 3")[0] == 0
    file = location.location(path)
    assert file is not None and reader.Index.open(path, path.stat()) is not None
    return file, file.read_bytes()


def _forge(file: Path, start: int, length: int) -> None:
    """Move q-3's place in the base inside the index, as anyone with sqlite3 can."""
    connection = sqlite3.connect(file)
    connection.execute("update record set start = ?, length = ? where id = 'q-3'", (start, length))
    connection.commit()
    connection.close()


def _forged_place(file: Path) -> None:
    """q-3 placed where q-4 lies: a forged index can only point at the wrong place."""
    connection = sqlite3.connect(file)
    start, length = connection.execute(
        "select start, length from record where id = 'q-4'"
    ).fetchone()
    connection.close()
    _forge(file, start, length)


def _name(tamper: Callable[[Path], None]) -> str:
    return tamper.__name__.strip("_").replace("_", " ")


def _flipped(seed: int) -> Callable[[Path], None]:
    def flip(file: Path) -> None:
        data = bytearray(file.read_bytes())
        at = random.Random(seed).randrange(len(data) * 8)
        data[at // 8] ^= 1 << at % 8
        file.write_bytes(bytes(data))

    flip.__name__ = f"bit_flip_{seed}"
    return flip


def _unindexed_answers(path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[object, object]:
    """Every lookup's answer from the base read whole, with no index."""
    with monkeypatch.context() as whole:
        whole.setattr(location, "FROM_BYTES", location.FROM_BYTES * 1024)
        return {lookup: answers(path, *lookup) for lookup in LOOKUPS}


@pytest.mark.parametrize("tamper", [_forged_place, _flipped(1), _flipped(2)], ids=_name)
def test_every_lookup_answers_the_truth_from_a_tampered_index(
    small_indexed: Path, monkeypatch: pytest.MonkeyPatch, tamper: Callable[[Path], None]
) -> None:
    """With q-3's place in the base changed in the index with sqlite3, or a bit of it
    flipped, every lookup command answers as from the base read whole, and the index is built
    again."""
    expected = _unindexed_answers(small_indexed, monkeypatch)
    file, _ = _built(small_indexed)
    tamper(file)
    tampered = file.read_bytes()
    for lookup in LOOKUPS:
        file.write_bytes(tampered)
        assert reader.Index.open(small_indexed, small_indexed.stat()) is None
        answer = answers(small_indexed, *lookup)
        assert answer == expected[lookup], lookup
        assert reader.Index.open(small_indexed, small_indexed.stat()) is not None


def test_no_single_bit_flip_is_believed(small_indexed: Path) -> None:
    """Two hundred single-bit flips all over the index, each on a pristine copy: every one is
    refused when the index is opened."""
    file, pristine = _built(small_indexed)
    status = small_indexed.stat()
    flips = random.Random(19)
    for _ in range(200):
        data = bytearray(pristine)
        at = flips.randrange(len(data) * 8)
        data[at // 8] ^= 1 << at % 8
        file.write_bytes(bytes(data))
        assert reader.Index.open(small_indexed, status) is None, f"bit {at} flipped, believed"


def test_a_record_that_no_longer_decodes_means_rebuild(
    small_indexed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index sealed again after q-3 was placed at bytes that are no record (the base's
    start, half a record, past its end), as a forger recomputing the checksum could leave:
    every lookup rebuilds it, never a traceback."""
    expected = _unindexed_answers(small_indexed, monkeypatch)
    file, _ = _built(small_indexed)
    size = small_indexed.stat().st_size
    for start, length in [(0, 40), (size // 2, 300), (size + 10, 20)]:
        for lookup in LOOKUPS:
            _forge(file, start, length)
            seal.seal(file)
            assert reader.Index.open(small_indexed, small_indexed.stat()) is not None
            assert answers(small_indexed, *lookup) == expected[lookup], (start, lookup)
