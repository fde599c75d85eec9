"""who-said never attributes a quote to a speaker it does not name: another actor swapped in is
refused, naming the words the quote lacks; the same actor in another form is found."""

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
