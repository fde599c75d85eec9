"""Fixes from a newcomer's review, checked through the CLI: matching that never misleads."""

from __future__ import annotations

import pytest

from tests.conftest import Invoke


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
