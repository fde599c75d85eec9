"""kb fmt: the canonical layout, which the shipped base already has."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from karabakh_cli.base import canonical
from tests.conftest import FACTS, Invoke


def shuffled(value: Any, rng: random.Random) -> Any:
    """The same JSON with every object's keys in a random order."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {key: shuffled(item, rng) for key, item in items}
    if isinstance(value, list):
        return [shuffled(item, rng) for item in value]
    return value


def test_the_shipped_base_is_canonical() -> None:
    """facts.json is exactly what kb fmt would write."""
    data = FACTS.read_bytes()
    assert canonical.text_of(canonical.decode(data, "facts.json")).encode() == data


@pytest.mark.parametrize("indent", [None, 4, "\t"])
def test_a_reindented_copy_comes_back_byte_for_byte(
    tmp_path: Path, invoke: Invoke, indent: int | str | None
) -> None:
    """Reindented, ASCII-escaped and with keys shuffled, the shipped base is restored exactly."""
    copy = tmp_path / "facts.json"
    base = shuffled(json.loads(FACTS.read_bytes()), random.Random(13))
    copy.write_text(json.dumps(base, indent=indent, ensure_ascii=True), encoding="utf-8")
    result = invoke("fmt", str(copy))
    assert result.exit_code == 0, result.stderr
    assert copy.read_bytes() == FACTS.read_bytes()
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_any_key_order_gives_the_same_canonical_text(seed: int) -> None:
    """The canonical text depends on the content, never on the order keys were written in."""
    base = json.loads(FACTS.read_bytes())
    assert canonical.text_of(shuffled(base, random.Random(seed))) == FACTS.read_text(
        encoding="utf-8"
    )


def test_check_passes_a_canonical_file(invoke: Invoke) -> None:
    """kb fmt --check on the shipped base exits 0."""
    result = invoke("fmt", "--check", str(FACTS))
    assert result.exit_code == 0
    assert "already canonical" in result.stderr


def test_check_fails_and_changes_nothing(tmp_path: Path, invoke: Invoke) -> None:
    """kb fmt --check on a reindented copy exits 1, names the file, leaves it as it was."""
    copy = tmp_path / "facts.json"
    copy.write_text(json.dumps(json.loads(FACTS.read_bytes()), indent=4), encoding="utf-8")
    before = copy.read_bytes()
    result = invoke("fmt", "--check", str(copy))
    assert result.exit_code == 1
    assert f"run: kb fmt {copy}" in result.stderr
    assert copy.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"schema_version": 1, "sources": [], "people": [], "quotes": [], "terms": [], '
         b'"events": [], "colour": "red"}', "unknown field 'colour'"),
        (b'{"schema_version": 1, "schema_version": 1, "sources": [], "people": [], '
         b'"quotes": [], "terms": [], "events": []}', "appears twice"),
        (b'{"schema_version": 1, "sources": [', "truncated"),
        (b"\xff\xfe", "UTF-8"),
    ],
)  # fmt: skip
def test_fmt_refuses_a_base_it_cannot_order(
    tmp_path: Path, invoke: Invoke, content: bytes, message: str
) -> None:
    """An unknown key, a repeated key or broken JSON: exit 3, one line, the file unchanged."""
    broken = tmp_path / "facts.json"
    broken.write_bytes(content)
    result = invoke("fmt", str(broken))
    assert result.exit_code == 3
    assert message in result.stderr
    assert broken.read_bytes() == content


def test_fmt_keeps_a_base_with_dangling_references(tmp_path: Path, invoke: Invoke) -> None:
    """Layout is not validation: a base whose references do not resolve is still formatted."""
    base = json.loads(FACTS.read_bytes())
    base["quotes"][0]["speaker"] = "nobody"
    copy = tmp_path / "facts.json"
    copy.write_text(json.dumps(base), encoding="utf-8")
    result = invoke("fmt", str(copy))
    assert result.exit_code == 0, result.stderr
    assert json.loads(copy.read_bytes()) == base
