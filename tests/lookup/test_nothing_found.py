"""What nothing found means, said by the core: the base's emptiness or the filters', notes on
search hits left out, and speakers who are never quoted or filtered out."""

from __future__ import annotations

from pathlib import Path

import pytest

from karabakh_cli.lookup import loaded, queries
from karabakh_cli.model import parse_partial_date
from tests.conftest import Invoke
from tests.lookup.conftest import FACTS_LOADED


def test_timeline_of_an_empty_base_says_it_records_no_events(
    invoke: Invoke, tmp_path: Path
) -> None:
    """With no filter, an empty timeline is the base's, not the filters': it says so."""
    assert invoke("init", str(tmp_path)).exit_code == 0
    result = invoke("--facts", str(tmp_path / "facts.json"), "timeline")
    assert result.exit_code == 1
    assert "the fact base records no events" in result.stderr
    assert "filters" not in result.stderr


def test_timeline_with_a_filter_matching_nothing_blames_the_filters(invoke: Invoke) -> None:
    """A filter that lets no event through says the filters matched nothing."""
    result = invoke("timeline", "--place", "Reykjavik")
    assert result.exit_code == 1
    assert "no events match these filters" in result.stderr


@pytest.mark.parametrize(
    ("since", "until", "place", "given"),
    [(None, None, None, False), ("2023", None, None, True), (None, None, "Baku", True)],
)
def test_filters_know_whether_any_was_given(
    since: str | None, until: str | None, place: str | None, given: bool
) -> None:
    """Filters.given is true exactly when --since, --until or --place was given."""
    assert loaded.Filters.of(since, until, place).given is given


@pytest.mark.parametrize(("since", "until"), [("2023-10", "2023-09"), ("2024", "2023-09-30")])
def test_filters_refuse_a_range_no_date_can_fall_in(since: str, until: str) -> None:
    """A --since after --until is a ValueError saying so, for the CLI to report."""
    with pytest.raises(ValueError, match="so no date is in that range"):
        loaded.Filters.of(since, until)


def test_search_notes_say_nothing_matched_or_how_many_are_left_out() -> None:
    """No hits, fewer hits than matches, and all hits each get their own note (or none)."""
    assert queries.search_notes("zzz", 0, 0) == ["nothing in the fact base matches 'zzz'"]
    assert queries.search_notes("talks", 2, 5) == [
        "showing the best 2 of 5 hits; --limit 0 shows all"
    ]
    assert queries.search_notes("talks", 5, 5) == []


def test_a_name_matching_only_people_without_quotes_says_so() -> None:
    """'Russian' names three organisations none of whom is quoted: the lookup says that plainly."""
    found = queries.quotes_by(FACTS_LOADED, "Russian", loaded.Filters())
    assert found.unquoted
    assert found.quotes == []
    explanation = found.explanation("Russian")
    assert explanation is not None
    assert "none of whom the fact base quotes" in explanation
    assert "Russian peacekeeping force" in explanation


def test_a_quoted_speaker_filtered_out_is_not_called_unquoted() -> None:
    """A speaker whose quotes the filters exclude has quotes: no 'has no quotes' explanation."""
    filters = loaded.Filters(since=parse_partial_date("2030"))
    found = queries.quotes_by(FACTS_LOADED, "Putin", filters)
    assert found.quotes == []
    assert not found.unquoted
    assert found.explanation("Putin") is None
