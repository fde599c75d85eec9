"""The completions the core offers: ids in any case, spelled on from what was typed, and the
next word of any speaker's name."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from karabakh_cli.base import factbase
from karabakh_cli.lookup import finding, loaded, match
from tests.conftest import FACTS
from tests.lookup.conftest import FACTS_LOADED


@pytest.mark.parametrize("typed", ["Q-PUT", "q-put", "Q-Put"])
def test_id_completions_ignore_case_and_keep_what_was_typed(typed: str) -> None:
    """Every completion of an id starts with the very characters typed, in any case."""
    facts = loaded.LoadedBase(factbase.load(FACTS), FACTS)
    found = finding.id_completions(facts, typed)
    assert found
    assert all(candidate.startswith(typed) for candidate in found)
    assert f"{typed}in-mediation" in found  # q-putin-mediation, spelled on from what was typed


def test_id_completions_of_an_unknown_prefix_are_none() -> None:
    """A prefix no id starts with completes to nothing."""
    facts = loaded.LoadedBase(factbase.load(FACTS), FACTS)
    assert finding.id_completions(facts, "zz-") == []


SPELLINGS = [
    spelling for person in FACTS_LOADED.speakers() for spelling in (person.name, *person.aliases)
]


@given(st.data())
def test_any_prefix_of_any_name_word_completes_to_a_name(data: st.DataObject) -> None:
    """A prefix of any word of any spelling, in any case, completes to words that start with
    what was typed and, typed in, name that speaker."""
    spelling = data.draw(st.sampled_from(SPELLINGS))
    words = [word for word in re.findall(r"\w+", spelling) if match.picks_out_someone(word)]
    word = data.draw(st.sampled_from(words))
    typed = word[: data.draw(st.integers(1, len(word)))]
    typed = "".join(char.upper() if data.draw(st.booleans()) else char.lower() for char in typed)
    candidates = finding.name_completions(FACTS_LOADED, [], typed)
    assert candidates
    assert all(candidate.startswith(typed) for candidate in candidates)
    for candidate in candidates:
        assert match.named_people(candidate, FACTS_LOADED.speakers())
