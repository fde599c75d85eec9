"""The ids suggested for an id no record has: the id meant, despite a typo or its case, or
nothing, never arbitrary ones; and only citable ids for kb cite."""

from __future__ import annotations

import pytest

from karabakh_cli.lookup import finding
from tests.lookup.conftest import FACTS_LOADED


@pytest.mark.parametrize(
    "wanted", ["nothing", "xyz", "src-lemonde", "q-zebra-crossing", "e-moscow-summit", "🙂"]
)
def test_ids_resembling_no_citable_id_get_no_citable_suggestion(wanted: str) -> None:
    """Nothing is offered to cite for an id that resembles no citable id."""
    assert finding.citable_suggestions(FACTS_LOADED, wanted) == []


@pytest.mark.parametrize("wanted", ["nothing", "xyz", "zzzzzzzz", "hello-world", "q-moscow"])
def test_ids_resembling_no_id_get_no_nearest(wanted: str) -> None:
    """An id like no id in the base gets no 'nearest' ids, rather than arbitrary ones."""
    assert finding.nearest_ids(FACTS_LOADED, wanted) == []


def test_a_source_id_gets_nothing_to_cite_in_its_place() -> None:
    """A source id is not close to any quote, term or event id, so none is suggested."""
    assert finding.citable_suggestions(FACTS_LOADED, "src-lemonde-2023-09-21") == []


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
    assert finding.nearest_ids(FACTS_LOADED, wanted) == expected


def test_a_typo_in_a_person_id_suggests_their_quotes_to_cite() -> None:
    """A person's id with a typo is answered with that person's quotes, as the exact id is."""
    assert finding.citable_suggestions(FACTS_LOADED, "vladimir-putn") == ["q-putin-mediation"]
