"""Names as people write them: a possessive, initials, a title before the name. Each finds the
person it names, and an initial never lets a name take another person's words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from karabakh_cli.lookup import match
from tests.conftest import Invoke


@pytest.mark.parametrize(
    ("typed", "speaker"),
    [
        ("putin's", "Vladimir Putin"),
        ("Putin’s", "Vladimir Putin"),
        ("V. Putin", "Vladimir Putin"),
        ("V.V. Putin", "Vladimir Putin"),
        ("President Putin", "Vladimir Putin"),
        ("I. Aliyev", "Ilham Aliyev"),
        ("Aliyev's", "Ilham Aliyev"),
    ],
)
def test_a_name_as_written_finds_its_speaker(invoke: Invoke, typed: str, speaker: str) -> None:
    result = invoke("quote", *typed.split(), "--json")
    assert result.exit_code == 0, result.stderr
    assert {row["speaker"]["name"] for row in json.loads(result.stdout)} == {speaker}


@pytest.mark.parametrize("typed", ["A. Putin", "E. Aliyev", "X Y Putin"])
def test_a_wrong_initial_finds_nobody(invoke: Invoke, typed: str) -> None:
    result = invoke("quote", *typed.split())
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no speaker matches" in result.stderr


def _second_putin(base: dict[str, Any]) -> dict[str, Any]:
    putin = next(person for person in base["people"] if person["id"] == "vladimir-putin")
    other = {**putin, "id": "lyudmila-putina", "name": "Lyudmila Putin", "aliases": []}
    base["people"].append(other)
    quote = next(quote for quote in base["quotes"] if quote["speaker"] == "vladimir-putin")
    return {**quote, "id": "q-lyudmila", "speaker": "lyudmila-putina"}


def test_an_initial_tells_two_people_of_one_surname_apart(
    invoke: Invoke, base: dict[str, Any], write_base: Any
) -> None:
    base["quotes"].append(_second_putin(base))
    facts: Path = write_base(base)
    both = invoke("--facts", str(facts), "quote", "Putin", "--json")
    assert {row["speaker"]["id"] for row in json.loads(both.stdout)} == {
        "vladimir-putin",
        "lyudmila-putina",
    }
    for initial, person in (("V.", "vladimir-putin"), ("L.", "lyudmila-putina")):
        one = invoke("--facts", str(facts), "quote", initial, "Putin", "--json")
        assert {row["speaker"]["id"] for row in json.loads(one.stdout)} == {person}


def test_name_words_drop_possessives_and_initials_which_narrow_instead() -> None:
    assert match.name_words("V. Putin's") == ["putin"]
    assert match.initials_of("V. Putin's") == ["v"]
    assert match.initials_of("Putin") == []
    # A number is a word of the name ("Davit Petrosyan 3"), never an initial.
    assert match.name_words("Davit Petrosyan 3") == ["davit", "petrosyan", "3"]
