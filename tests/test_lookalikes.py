"""Look-alike names: a name that differs from another only by invisible characters
(zero-width, bidirectional controls, separators) is refused by kb add and reported by kb
validate, and such characters are shown as their code in every human format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ARCHIVES, SOURCE_ID, Invoke, kb, make_base

ZERO_WIDTH = "\u200b"
RIGHT_TO_LEFT_OVERRIDE = "\u202e"
POP_DIRECTIONAL = "\u202c"
LINE_SEPARATOR = "\u2028"


def written(base: dict[str, Any], folder: Path) -> Path:
    path = folder / "facts.json"
    path.write_text(json.dumps(base, ensure_ascii=False, indent=2), encoding="utf-8")
    shutil.copytree(ARCHIVES, folder / ARCHIVES.name)
    return path


@pytest.mark.parametrize("fmt", ["table", "plain", "markdown"])
def test_invisible_characters_are_shown_in_human_formats(
    base: dict[str, Any], tmp_path: Path, fmt: str
) -> None:
    """A role holding a zero-width space, a right-to-left override and a line separator is
    listed with each as its code, never the character itself."""
    putin = next(person for person in base["people"] if person["id"] == "vladimir-putin")
    putin["role"] = (
        f"President{ZERO_WIDTH} of {RIGHT_TO_LEFT_OVERRIDE}Russia{POP_DIRECTIONAL}"
        f"{LINE_SEPARATOR}Kremlin"
    )
    code, stdout, stderr = kb(written(base, tmp_path), "people", "--format", fmt)
    assert code == 0, stderr
    for char in (ZERO_WIDTH, RIGHT_TO_LEFT_OVERRIDE, POP_DIRECTIONAL, LINE_SEPARATOR):
        assert char not in stdout
        assert f"\\u{ord(char):04x}" in stdout.replace("\n", "")
    assert "President" in stdout


def test_machine_formats_keep_the_characters(base: dict[str, Any], tmp_path: Path) -> None:
    """JSON gives the text as the base holds it: a program reads the exact value."""
    putin = next(person for person in base["people"] if person["id"] == "vladimir-putin")
    putin["role"] = f"President{ZERO_WIDTH} of Russia"
    code, stdout, _ = kb(written(base, tmp_path), "people", "--json")
    assert code == 0
    roles = [person["role"] for person in json.loads(stdout)]
    assert f"President{ZERO_WIDTH} of Russia" in roles


@pytest.mark.parametrize(
    "maker", [ZERO_WIDTH, "\u200d", "\u200e", RIGHT_TO_LEFT_OVERRIDE, "\u2066", "\ufeff"]
)
def test_a_look_alike_name_is_refused_by_add(tmp_path: Path, maker: str) -> None:
    """kb add person "Anton Ker<U+200B>bel" beside Anton Kerbel is refused, nothing written."""
    facts = make_base(tmp_path)
    before = facts.read_bytes()
    code, _, stderr = kb(
        facts,
        *("add", "person", "--name", f"Anton Ker{maker}bel", "--alias", "Mr. Kerbel"),
        *("--role", "Deputy", "--source", SOURCE_ID),
    )
    assert code == 2
    assert "already names anton-kerbel" in stderr
    assert f"\\u{ord(maker):04x}" in stderr
    assert facts.read_bytes() == before


def test_a_look_alike_alias_is_refused_by_add(tmp_path: Path) -> None:
    """An alias that is another person's name but for a zero-width joiner is refused."""
    facts = make_base(tmp_path)
    code, _, stderr = kb(
        facts,
        *("add", "person", "--name", "Ivana T.", "--alias", "Ivana Testo\u200dva"),
        *("--role", "Deputy", "--source", SOURCE_ID, "--excerpt", "said Ivana Testova"),
    )
    assert code == 2
    assert "already names ivana-testova" in stderr


def test_validate_reports_a_look_alike_name(
    invoke: Invoke, base: dict[str, Any], tmp_path: Path
) -> None:
    """Two people named Vladimir Putin, one with a zero-width space: an error, placed, and
    lookups refuse the base rather than answer with two indistinguishable people."""
    putin = next(person for person in base["people"] if person["id"] == "vladimir-putin")
    base["people"].append(
        {**putin, "id": "vladimir-putin-2", "name": f"Vladimir Pu{ZERO_WIDTH}tin", "aliases": []}
    )
    path = written(base, tmp_path)
    result = invoke("validate", str(path))
    assert result.exit_code == 1, result.output
    assert "vladimir-putin-2.name: 'Vladimir Pu\\u200btin' already names 'vladimir-putin'" in (
        result.stdout
    )
    quote = invoke("--facts", str(path), "quote", "putin")
    assert quote.exit_code != 0
    assert "equally well" not in quote.stderr
