"""kb people from the index: its counts come from the index, the same bytes in every format as
from the whole base, and an index failing half-way is removed and named."""

from __future__ import annotations

from pathlib import Path

import pytest

from karabakh_cli.base.problems import FactBaseError
from karabakh_cli.index import loading, location, needs, reader
from karabakh_cli.output import views
from karabakh_cli.output.render import Format
from tests.conftest import Invoke, answered_from_the_index


@pytest.mark.parametrize("fmt", [*(fmt.value for fmt in Format)])
def test_people_from_the_index_print_what_the_whole_base_prints(
    invoke: Invoke, large: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """kb people answered from the index (after it is built, and later) prints the same
    bytes as from the whole base, in every format."""
    with answered_from_the_index():
        building = invoke("--facts", str(large), "people", "--format", fmt)
        assert building.exit_code == 0
        later = invoke("--facts", str(large), "people", "--format", fmt)
        assert later.exit_code == 0
    monkeypatch.setattr(location, "FROM_BYTES", 1 << 40)
    read_whole = invoke("--facts", str(large), "people", "--format", fmt)
    assert read_whole.exit_code == 0
    assert building.stdout == later.stdout == read_whole.stdout
    assert later.stdout


def test_people_answered_from_the_index_decode_no_quote(
    large: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once indexed, kb people's base holds no quotes: the counts come from the index."""
    loading.load(large, None, print)
    found = reader.Index.open(large, large.stat())
    assert found is not None
    facts = found.facts(large, needs.Everyone())
    assert facts is not None
    assert facts.content.quotes == []
    assert facts.content.people == []
    rows = list(views.people_listing(facts).rows)
    found.close()
    assert len(rows) == reader.Index.open(large, large.stat()).summary()["people"]  # type: ignore[union-attr]
    assert sum(row["quotes"] for row in rows) == 2000


def test_an_index_failing_while_people_are_written_is_removed_and_named(large: Path) -> None:
    """An index that fails half-way through kb people's rows (damaged past what opening it
    checks) ends the listing with a FactBaseError naming the base, and is removed, so the
    next run builds it afresh."""
    loading.load(large, None, print)
    found = reader.Index.open(large, large.stat())
    assert found is not None
    facts = found.facts(large, needs.Everyone())
    assert facts is not None and facts.coverage.involvement is not None
    people = facts.coverage.involvement()
    next(people)
    found.connection.close()
    with pytest.raises(FactBaseError, match=r"its index was damaged .* and is removed"):
        next(people)
    assert loading.describe(large) == loading.Unindexed("not built yet", buildable=True)
