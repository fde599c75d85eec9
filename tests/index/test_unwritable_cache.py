"""An index that cannot be written is never in the way: kb answers all the same, says why in
one line, and leaves no file behind."""

from __future__ import annotations

import errno
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from karabakh_cli.index import builder, location, search
from tests.conftest import Invoke
from tests.index.conftest import NAME


def test_a_cache_that_is_a_file_answers_with_one_line(
    invoke: Invoke, large: Path, tmp_path: Path
) -> None:
    """With XDG_CACHE_HOME a file, kb answers without an index and says so in one line."""
    blocker = tmp_path / "blocked"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    result = invoke(
        "--facts", str(large), "quote", NAME, "--json", env={"XDG_CACHE_HOME": str(blocker)}
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["speaker"]["id"] == "p-3"
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"kb: no index for {large}: cannot write in ")


@pytest.mark.parametrize(
    ("failing", "error", "reason"),
    [
        ("add", OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
        ("_add_quotes", sqlite3.OperationalError("no such table: x"), "no such table: x"),
    ],
    ids=["full disk", "sqlite error half-way"],
)
def test_a_failing_build_answers_with_one_line(
    invoke: Invoke,
    large: Path,
    monkeypatch: pytest.MonkeyPatch,
    failing: str,
    error: Exception,
    reason: str,
) -> None:
    """With the disk full while the index is written, or an insert failing half-way, kb
    answers, says so in one line, and leaves no index and no temporary file."""

    def fail(*args: Any) -> None:
        raise error

    monkeypatch.setattr(builder.Builder, failing, fail)
    file = location.location(large)
    assert file is not None
    result = invoke("--facts", str(large), "quote", NAME, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["speaker"]["id"] == "p-3"
    assert result.stderr.splitlines() == [
        f"kb: no index for {large}: cannot write in {file.parent}: {reason}; answering without it"
    ]
    assert list(file.parent.iterdir()) == []


def test_a_cache_that_refuses_the_tables_leaves_no_file(
    invoke: Invoke, large: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index whose tables cannot be made (here, a schema SQLite refuses) leaves no
    temporary file behind, and kb answers with one line."""

    monkeypatch.setattr(search, "SCHEMA", "create nonsense;")
    file = location.location(large)
    assert file is not None
    result = invoke("--facts", str(large), "quote", NAME, "--json")
    assert result.exit_code == 0
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"kb: no index for {large}: cannot write in {file.parent}")
    assert list(file.parent.iterdir()) == []
