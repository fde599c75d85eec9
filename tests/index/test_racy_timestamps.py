"""Git's racy rule: on a filesystem whose timestamps step by a second or two (FAT, HFS+, ext2
with small inodes), a same-size edit made in the second the index was built leaves the base's
status as it was; the index must not answer for it.

Simulated as such a filesystem shows a file: every timestamp in whole seconds, the change time
the modification time (as vfat reports it), and the edit's time put into the build's second.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from karabakh_cli.base import factbase
from karabakh_cli.index import builder, location
from tests.conftest import spy
from tests.index.conftest import answers

SECOND = 1_000_000_000


@pytest.fixture
def coarse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files' statuses as a filesystem with timestamps in whole seconds gives them."""

    def identity(status: os.stat_result) -> tuple[int, int, int, int, int]:
        modified = status.st_mtime_ns // SECOND * SECOND
        return (status.st_dev, status.st_ino, status.st_size, modified, modified)

    monkeypatch.setattr(factbase, "identity", identity)


def _in_this_second(path: Path) -> None:
    now = time.time_ns() // SECOND * SECOND
    os.utime(path, ns=(now, now))


def _same_size_edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new``, as long, in q-3's record, in place (the same inode)."""
    data = path.read_bytes()
    at = data.index(old.encode(), data.index(b'"id": "q-3"'))
    assert len(old) == len(new)
    path.write_bytes(data[:at] + new.encode() + data[at + len(old) :])


@pytest.mark.usefixtures("coarse")
def test_a_same_size_edit_in_the_builds_second_is_seen(small_indexed: Path) -> None:
    """kb show, then a same-size edit of q-3's place in the same second: kb show prints the new
    word, not the index's old one (the issue's ext2 reproduction, 3/3 stale before)."""
    _in_this_second(small_indexed)
    before = answers(small_indexed, "show", "q-3")
    assert before[0] == 0 and "\tYerevan\n" in before[1]
    stamp = small_indexed.stat().st_mtime_ns
    _same_size_edit(small_indexed, '"place": "Yerevan"', '"place": "Yevlakh"')
    os.utime(small_indexed, ns=(stamp, stamp))
    after = answers(small_indexed, "show", "q-3")
    assert after[0] == 0
    assert "\tYevlakh\n" in after[1] and "Yerevan" not in after[1]


@pytest.mark.usefixtures("coarse")
def test_a_same_size_edit_breaking_a_reference_is_checked(small_indexed: Path) -> None:
    """A same-size edit in the build's second that breaks q-3's speaker: kb cite names the
    problem (exit 3), where the stale index vouched for the file and a KeyError followed."""
    _in_this_second(small_indexed)
    assert answers(small_indexed, "cite", "q-3")[0] == 0
    stamp = small_indexed.stat().st_mtime_ns
    _same_size_edit(small_indexed, '"speaker": "p-3"', '"speaker": "p-X"')
    os.utime(small_indexed, ns=(stamp, stamp))
    code, _, stderr = answers(small_indexed, "cite", "q-3")
    assert code == 3
    assert "no person has the id 'p-X'" in stderr


@pytest.mark.usefixtures("coarse")
def test_an_unchanged_racy_base_is_not_rebuilt(
    small_indexed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A base changed just before its index was built is compared with the content the build
    recorded, not indexed again, while it stays the same."""
    _in_this_second(small_indexed)
    builds = spy(monkeypatch, builder.Builder, "__init__")
    first = answers(small_indexed, "show", "q-3")
    assert [answers(small_indexed, "show", "q-3") for _ in range(3)] == [first] * 3
    assert len(builds) == 1


def test_a_build_long_after_the_last_change_needs_no_comparison(
    small_indexed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A base last changed more than a timestamp step before its build is trusted on its
    status alone: its content is never read again for a lookup."""
    # The base was just written, and a change time cannot be put back: the step is
    # shortened to a nanosecond instead.
    monkeypatch.setattr(location, "TIMESTAMP_STEP_NS", 1)
    digests = spy(monkeypatch, location, "content_digest")
    assert answers(small_indexed, "show", "q-3")[0] == 0
    assert answers(small_indexed, "show", "q-3")[0] == 0
    assert digests == []
