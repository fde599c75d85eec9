"""Fixes from a newcomer's review, checked through the CLI: matching that never misleads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from karabakh_cli.base import factbase
from karabakh_cli.lookup import queries
from karabakh_cli.model import parse_partial_date
from tests.conftest import FACTS, Invoke


@pytest.mark.parametrize(
    ("fragment", "lacking"),
    [
        (
            "These talks will take place with the mediation of the leadership of the Turkish"
            " peacekeeping force",
            "'Turkish'",
        ),
        (
            "Their protection will probably be provided by the Turks, but this will be a"
            " bilateral dialogue",
            "'Turks'",
        ),
        ("there is no celebration in Baku or Yerevan for now", "'Baku', 'Yerevan'"),
    ],
)
def test_who_said_refuses_another_actor_and_names_the_missing_words(
    invoke: Invoke, fragment: str, lacking: str
) -> None:
    """A real quote with someone else swapped in is refused, naming the words the quote lacks."""
    result = invoke("who-said", fragment)
    assert result.exit_code == 1
    assert f"(it has no word for {lacking})" in result.stderr
    assert result.stdout == ""


def test_who_said_still_attributes_a_paraphrase_naming_the_same_actor(invoke: Invoke) -> None:
    """A demonym the quote holds in another form (Russia for Russians) still finds the quote."""
    result = invoke("who-said", "their protection will probably be provided by Russia")
    assert result.exit_code == 0
    assert "q-amirbayov-russians-not-participate" in result.stdout


@pytest.mark.parametrize(
    ("name", "nearest"), [("Aliyeva", "Ilham Aliyev"), ("Putina", "Vladimir Putin")]
)
def test_a_name_with_an_added_ending_shows_nobody_s_quotes(
    invoke: Invoke, name: str, nearest: str
) -> None:
    """kb quote Aliyeva does not show Ilham Aliyev's words: it finds nobody and suggests him."""
    result = invoke("quote", name)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"nearest known speakers: {nearest}" in result.stderr


FACTS_LOADED = queries.LoadedBase(factbase.load(FACTS), FACTS)


@pytest.mark.parametrize(
    "wanted", ["nothing", "xyz", "src-lemonde", "q-zebra-crossing", "e-moscow-summit", "🙂"]
)
def test_ids_resembling_no_citable_id_get_no_citable_suggestion(wanted: str) -> None:
    """Nothing is offered to cite for an id that resembles no citable id."""
    assert queries.citable_suggestions(FACTS_LOADED, wanted) == []


@pytest.mark.parametrize("wanted", ["nothing", "xyz", "zzzzzzzz", "hello-world", "q-moscow"])
def test_ids_resembling_no_id_get_no_nearest(wanted: str) -> None:
    """An id like no id in the base gets no 'nearest' ids, rather than arbitrary ones."""
    assert queries.nearest_ids(FACTS_LOADED, wanted) == []


def test_a_source_id_gets_nothing_to_cite_in_its_place() -> None:
    """A source id is not close to any quote, term or event id, so none is suggested."""
    assert queries.citable_suggestions(FACTS_LOADED, "src-lemonde-2023-09-21") == []


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("q-putin-mediaton", ["q-putin-mediation"]),
        ("Q-PUTIN-MEDIATON", ["q-putin-mediation"]),
        ("t-talks-yevlak", ["t-talks-yevlakh"]),
        ("e-peacekeepers", ["e-peacekeepers-video"]),
        ("vladimir-putn", ["vladimir-putin"]),
    ],
)
def test_ids_with_a_typo_still_get_the_id_meant(wanted: str, expected: list[str]) -> None:
    """A typo or a truncated id still suggests the id meant, and only it."""
    assert queries.nearest_ids(FACTS_LOADED, wanted) == expected


def test_a_typo_in_a_person_id_suggests_their_quotes_to_cite() -> None:
    """A person's id with a typo is answered with that person's quotes, as the exact id is."""
    assert queries.citable_suggestions(FACTS_LOADED, "vladimir-putn") == ["q-putin-mediation"]


def test_a_name_matching_only_people_without_quotes_says_so() -> None:
    """'Russian' names three organisations none of whom is quoted: the lookup says that plainly."""
    found = queries.quotes_by(FACTS_LOADED, "Russian", queries.Filters())
    assert found.unquoted
    assert found.quotes == []
    explanation = found.explanation("Russian")
    assert explanation is not None
    assert "none of whom the fact base quotes" in explanation
    assert "Russian peacekeeping force" in explanation


def test_a_quoted_speaker_filtered_out_is_not_called_unquoted() -> None:
    """A speaker whose quotes the filters exclude has quotes: no 'has no quotes' explanation."""
    filters = queries.Filters(since=parse_partial_date("2030"))
    found = queries.quotes_by(FACTS_LOADED, "Putin", filters)
    assert found.quotes == []
    assert not found.unquoted
    assert found.explanation("Putin") is None


SUPPLIED = "[Azerbaijan's offensive in Nagorno-Karabakh and the ceasefire of 20 September 2023]"


@pytest.mark.parametrize("fmt", ["plain", "bibtex", "csl-json"])
def test_a_supplied_title_is_cited_in_square_brackets(invoke: Invoke, fmt: str) -> None:
    """A title the curator supplied is cited in square brackets, never quoted as the publisher's."""
    result = invoke("cite", "q-aliyev-destroyed", "--format", fmt)
    assert result.exit_code == 0
    assert SUPPLIED in result.stdout
    assert f"“{SUPPLIED[1:-1]}”" not in result.stdout
    assert "“Too Destroying”" in result.stdout


def test_a_publisher_s_title_is_quoted_as_it_stands(
    invoke: Invoke, base: dict[str, Any], write_base: Callable[..., Path]
) -> None:
    """A source whose title is its own (title_supplied absent) is cited in quotation marks, unbracketed."""
    del base["sources"][0]["title_supplied"]
    path = write_base(base)
    result = invoke("--facts", str(path), "cite", "q-aliyev-destroyed")
    assert result.exit_code == 0
    assert f"Le Monde, “{SUPPLIED[1:-1]}”, 2023-09-21" in result.stdout
    bibtex = invoke("--facts", str(path), "cite", "q-aliyev-destroyed", "--format", "bibtex")
    assert bibtex.exit_code == 0
    assert f"title = {{{SUPPLIED[1:-1]}}}" in bibtex.stdout


def test_title_supplied_must_be_a_boolean(
    invoke: Invoke, base: dict[str, Any], write_base: Callable[..., Path]
) -> None:
    """A title_supplied that is not true or false makes the base invalid (exit 3), naming the field."""
    base["sources"][0]["title_supplied"] = "yes"
    path = write_base(base)
    result = invoke("--facts", str(path), "cite", "q-aliyev-destroyed")
    assert result.exit_code == 3
    assert "title_supplied" in result.stderr
