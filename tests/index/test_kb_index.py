"""kb index: which bases get an index, where it is and what it holds, clearing it, why there
is none, and the line a long build shows."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

import pytest

from karabakh_cli.index import builder, loading, location
from tests.conftest import FACTS, Invoke
from tests.index.conftest import NAME


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing the index fails as on a full disk."""

    def full(*args: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(builder.Builder, "add", full)


def test_kb_index_with_an_unusable_cache_says_why_it_has_none(
    invoke: Invoke, large: Path, tmp_path: Path
) -> None:
    """kb index in a cache folder that is a file names that reason, not "not built yet"."""
    blocker = tmp_path / "blocked"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    result = invoke("--facts", str(large), "index", env={"XDG_CACHE_HOME": str(blocker)})
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"kb: no index for {large}: cannot write in {blocker}/kb/index: Not a directory"
    ]


def test_kb_index_on_a_full_disk_says_why_it_has_none(
    invoke: Invoke, large: Path, full_disk: None
) -> None:
    """kb index, when writing the index fails, names the failure once and exits 1."""

    file = location.location(large)
    assert file is not None
    result = invoke("--facts", str(large), "index")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"kb: no index for {large}: cannot write in {file.parent}: No space left on device"
    ]


def test_small_bases_have_no_index(invoke: Invoke, cache: Path) -> None:
    """The built-in base is read whole: nothing is written to the cache for it."""
    result = invoke("index")
    assert result.exit_code == 1
    assert "a base under 1 MiB is read whole" in result.stderr
    assert invoke("quote", "putin").exit_code == 0
    assert not cache.exists()


def test_the_builtin_base_is_not_indexed() -> None:
    """The built-in base is under the size that gets an index."""
    assert FACTS.stat().st_size < location.FROM_BYTES


def test_kb_index_shows_where_and_what(invoke: Invoke, large: Path) -> None:
    """kb index builds the index if needed and shows its file, base, size and counts."""
    result = invoke("--facts", str(large), "index", "--json")
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["index"] == str(location.location(large))
    assert row["base"] == str(large.resolve())
    assert row["bytes"] == Path(row["index"]).stat().st_size
    assert (row["quotes"], row["people"], row["events"]) == (2000, 200, 400)


def test_kb_index_clear_removes_it(invoke: Invoke, large: Path) -> None:
    """kb index --clear removes the index; a second --clear finds nothing (exit 1)."""
    assert invoke("--facts", str(large), "quote", NAME).exit_code == 0
    file = location.location(large)
    assert file is not None and file.exists()
    cleared = invoke("--facts", str(large), "index", "--clear")
    assert cleared.exit_code == 0
    assert not file.exists()
    assert invoke("--facts", str(large), "index", "--clear").exit_code == 1


def test_a_long_build_says_what_it_does(
    invoke: Invoke, large: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the index of a base past the shown size says so, once, on stderr (no
    terminal: one line, not a bar)."""
    monkeypatch.setattr(loading, "SHOWN_FROM_BYTES", 0)
    first = invoke("--facts", str(large), "quote", NAME, "--json")
    assert first.exit_code == 0
    size = f"{large.stat().st_size / 1024 / 1024:,.1f} MiB"
    assert first.stderr == f"kb: indexing {large.name} ({size}), once for this file\n"
    later = invoke("--facts", str(large), "quote", NAME, "--json")
    assert later.exit_code == 0
    assert later.stderr == ""
    assert later.stdout == first.stdout
