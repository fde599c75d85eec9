"""Listings in date order never put a date known only to the month or year before the days
it may hold, where it would read as having come first, and a legend says how to read them."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from karabakh_cli.model import PartialDate, parse_partial_date
from tests.conftest import Invoke


def test_the_month_only_announcement_comes_after_the_offensive(invoke: Invoke) -> None:
    ids = [row["id"] for row in json.loads(invoke("timeline", "--json").stdout)]
    assert ids.index("e-negotiations-announced") > ids.index("e-yevlakh-talks")


def test_the_table_and_markdown_say_how_partial_dates_are_placed(invoke: Invoke) -> None:
    for fmt in ("table", "markdown"):
        shown = invoke("timeline", "--format", fmt, env={"COLUMNS": "120"}).stdout
        assert "a date of a month or a year alone comes after the days it may hold" in shown


def test_an_uncertain_date_is_explained(
    invoke: Invoke, base: dict[str, Any], write_base: Any
) -> None:
    base["events"][0]["date"] = "2023-09-20?"
    facts = write_base(base)
    shown = invoke("--facts", str(facts), "timeline", "--format", "table").stdout
    assert "? after a date: the source is unsure of it" in shown


def test_days_alone_need_no_legend(invoke: Invoke) -> None:
    shown = invoke("timeline", "--since", "2023-09-20", "--until", "2023-09-20").stdout
    assert "comes after the days" not in shown


dates = st.builds(
    PartialDate,
    st.integers(2020, 2024),
    st.integers(0, 12),
    st.integers(0, 28),
).filter(lambda date: date.month or not date.day)


@given(dates, dates)
def test_a_coarser_date_never_sorts_before_a_day_it_may_hold(
    first: PartialDate, second: PartialDate
) -> None:
    text = lambda date: "-".join(  # noqa: E731
        [
            f"{date.year}",
            *([f"{date.month:02d}"] if date.month else []),
            *([f"{date.day:02d}"] if date.day else []),
        ]
    )
    one, other = parse_partial_date(text(first)), parse_partial_date(text(second))
    if (
        one.partial
        and not other.partial
        and one.covers_start() <= other.covers_start() <= one.covers_end()
    ):
        assert one.chronological() > other.chronological()
