"""A base past the whole-read limit is read a batch at a time, checked and indexed: what the
index answers works, and a broken record is named where it stands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from karabakh_cli import files
from tests.conftest import Invoke
from tests.index.conftest import NAME


def test_a_base_too_large_to_read_whole_is_answered_from_its_index(
    invoke: Invoke, large: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the whole-read limit a base is still read a batch at a time, checked and indexed:
    lookups the index answers work; one that needs the whole base says so, exit 3."""
    monkeypatch.setattr(files, "MAX_BYTES", 1024 * 1024)
    assert large.stat().st_size > files.MAX_BYTES
    built = invoke("--facts", str(large), "index", "--json")
    assert built.exit_code == 0
    assert json.loads(built.stdout)[0]["quotes"] == 2000
    found = invoke("--facts", str(large), "quote", NAME, "--json")
    assert found.exit_code == 0
    assert json.loads(found.stdout)[0]["speaker"]["name"] == NAME
    assert invoke("--facts", str(large), "terms", "--json").exit_code == 0
    assert invoke("--facts", str(large), "timeline", "--json").exit_code == 0
    whole_read = invoke("--facts", str(large), "sources")
    assert whole_read.exit_code == 3
    size = f"{large.stat().st_size / 1024 / 1024:,.1f}"
    assert whole_read.stderr == (
        f"kb: {large}: file is {size} MiB: this lookup reads the whole base, at most 1 MiB\n"
    )


def test_a_broken_base_too_large_to_read_whole_names_its_first_problem(
    invoke: Invoke, large: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the whole-read limit, a record the model rejects is named where it stands: a
    lookup says it in one line with a hint (exit 3), kb validate lists it (exit 1)."""
    monkeypatch.setattr(files, "MAX_BYTES", 1024 * 1024)
    text = large.read_text(encoding="utf-8")
    broken = text.replace(
        '"id": "q-1500", "speaker": "p-', '"id": "q-1500", "speaker": 7, "x": "p-'
    )
    assert broken != text
    large.write_text(broken, encoding="utf-8")
    offset = broken.index('"speaker": 7')
    line = broken.count("\n", 0, offset) + 1
    # Placed at the record: the batch reader knows where each record starts.
    record = broken.rfind("{", 0, offset)
    record_column = record - broken.rfind("\n", 0, record)
    looked_up = invoke("--facts", str(large), "quote", NAME)
    assert looked_up.exit_code == 3
    assert looked_up.stderr.splitlines()[0] == (
        f"kb: {large}:{line}:{record_column}: quotes[1500].speaker: Expected `str`, got `int`"
    )
    assert "more problems may follow" in looked_up.stderr.splitlines()[1]
    validated = invoke("validate", str(large))
    assert validated.exit_code == 1
    assert validated.stdout.splitlines() == [
        f"{large}:{line}:{record_column}: quotes[1500].speaker: Expected `str`, got `int`"
    ]
