"""kb diff: records added, removed, moved and changed, field by field, in every format."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FACTS, Invoke


@pytest.fixture
def changed(base: dict[str, Any], tmp_path: Path) -> tuple[Path, Path]:
    """The shipped base and a copy with a quote edited, a term moved, an event gone, a person added."""
    old = tmp_path / "old.json"
    shutil.copyfile(FACTS, old)
    base["quotes"][0]["date"] = "2023-09-19"
    base["quotes"][0]["note"] = "Re-dated."
    base["terms"].append(base["terms"].pop(0))
    removed = base["events"].pop()
    base["people"].append(
        {**base["people"][0], "id": "someone-new", "name": "Someone New", "aliases": []}
    )
    assert removed["id"] == "e-yevlakh-talks"
    new = tmp_path / "new.json"
    new.write_text(json.dumps(base, indent=2, ensure_ascii=False), encoding="utf-8")
    return old, new


def test_no_differences_exits_0_with_nothing_on_stdout(invoke: Invoke) -> None:
    """A base against itself: exit 0, no rows, a note on stderr."""
    result = invoke("diff", str(FACTS), str(FACTS), "--format", "plain")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no differences" in result.stderr


def test_no_differences_in_json_is_an_empty_array(invoke: Invoke) -> None:
    """--json with no differences prints [] so a script can always parse stdout."""
    result = invoke("diff", str(FACTS), str(FACTS), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_differences_field_by_field(invoke: Invoke, changed: tuple[Path, Path]) -> None:
    """Each changed field is a row with old and new values; exit 1."""
    result = invoke("diff", *map(str, changed), "--json")
    assert result.exit_code == 1
    rows = {(row["change"], row["id"], row["field"]): row for row in json.loads(result.stdout)}
    date = rows["changed", "q-aliyev-sovereignty", "date"]
    assert (date["kind"], date["old"], date["new"]) == ("quote", "2023-09-20", "2023-09-19")
    assert rows["changed", "q-aliyev-sovereignty", "note"]["new"] == "Re-dated."
    assert rows["removed", "e-yevlakh-talks", None]["old"]["id"] == "e-yevlakh-talks"
    assert rows["added", "someone-new", None]["new"]["name"] == "Someone New"
    moved = rows["moved", "t-withdrawal-armenian-forces", "position"]
    assert (moved["old"], moved["new"]) == (1, 4)
    assert len(rows) == 5


def test_a_field_written_as_its_default_is_no_difference(
    invoke: Invoke, base: dict[str, Any], tmp_path: Path
) -> None:
    """Writing "note": null or "contradicts": [] where they were left out changes nothing."""
    for quote in base["quotes"]:
        quote.setdefault("note", None)
        quote.setdefault("contradicts", [])
    copy = tmp_path / "facts.json"
    copy.write_text(json.dumps(base), encoding="utf-8")
    result = invoke("diff", str(FACTS), str(copy))
    assert result.exit_code == 0


@pytest.mark.parametrize("fmt", ["table", "plain", "jsonl", "csv", "markdown"])
def test_every_format_shows_each_difference(
    invoke: Invoke, changed: tuple[Path, Path], fmt: str
) -> None:
    """Every output format names the records that changed."""
    result = invoke("diff", *map(str, changed), "--format", fmt)
    assert result.exit_code == 1
    for record_id in ("q-aliyev-sovereignty", "e-yevlakh-talks", "someone-new"):
        assert record_id in result.stdout


def git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_rev_compares_a_file_with_its_committed_self(
    invoke: Invoke, changed: tuple[Path, Path], tmp_path: Path
) -> None:
    """kb diff --rev HEAD FILE reads the committed version with git, from any folder."""
    old, new = changed
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", old.name)
    git(tmp_path, "commit", "-q", "-m", "base")
    old.write_bytes(new.read_bytes())
    result = invoke("diff", "--rev", "HEAD", str(old), "--json")
    assert result.exit_code == 1, result.stderr
    assert {row["id"] for row in json.loads(result.stdout)} >= {"someone-new", "e-yevlakh-talks"}


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_rev_outside_git_is_one_clear_line(invoke: Invoke, tmp_path: Path) -> None:
    """Outside a repository --rev fails with exit 2 and git's reason."""
    copy = tmp_path / "facts.json"
    shutil.copyfile(FACTS, copy)
    result = invoke(
        "diff", "--rev", "HEAD", str(copy), env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "not a git repository" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [
        ("diff", "only-one.json"),
        ("diff", "a.json", "b.json", "--rev", "HEAD"),
        ("diff", "--rev", "-p", "f.json"),
    ],
)
def test_diff_usage_errors(invoke: Invoke, args: tuple[str, ...]) -> None:
    """One file without --rev, two with it, or a revision that looks like an option: exit 2."""
    result = invoke(*args)
    assert result.exit_code == 2


def test_diff_of_a_broken_base_is_exit_3(invoke: Invoke, tmp_path: Path) -> None:
    """A side that is not a fact base: exit 3 naming it."""
    broken = tmp_path / "broken.json"
    broken.write_text("[]", encoding="utf-8")
    result = invoke("diff", str(FACTS), str(broken))
    assert result.exit_code == 3
    assert "broken.json" in result.stderr
