"""kb quotes: every quote of the base, filtered as kb quote filters a speaker's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from karabakh_cli.model import parse_partial_date
from tests.conftest import FACTS, Invoke, answered_from_the_index


def listed(invoke: Invoke, *args: str) -> list[dict[str, object]]:
    result = invoke("quotes", *args, "--json")
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_every_quote_of_the_base_is_listed_once_in_date_order(invoke: Invoke) -> None:
    every = json.loads(FACTS.read_text(encoding="utf-8"))["quotes"]
    rows = listed(invoke)
    assert sorted(row["id"] for row in rows) == sorted(quote["id"] for quote in every)
    dates = [parse_partial_date(str(row["date"])).chronological() for row in rows]
    assert dates == sorted(dates)


def test_dates_and_place_filter_as_they_do_for_one_speaker(invoke: Invoke) -> None:
    every = listed(invoke)
    since = listed(invoke, "--since", "2023-09-21")
    assert since and len(since) < len(every)
    assert all(parse_partial_date(str(row["date"])).covers_end() >= (2023, 9, 21) for row in since)
    placed = {str(row["place"]) for row in every if row["place"]}
    for place in placed:
        assert {row["id"] for row in listed(invoke, "--place", place)} == {
            row["id"] for row in every if row["place"] == place
        }


def test_speaker_gives_what_kb_quote_gives(invoke: Invoke) -> None:
    for name in ("putin", "aliev", "Amirbayov"):
        quoted = invoke("quote", name, "--json")
        assert quoted.exit_code == 0
        assert listed(invoke, "--speaker", name) == json.loads(quoted.stdout)


def test_an_unknown_speaker_is_said_so_and_exits_1(invoke: Invoke) -> None:
    result = invoke("quotes", "--speaker", "Heydar Aliyev")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no speaker matches 'Heydar Aliyev'" in result.stderr


def test_nothing_in_the_dates_is_one_line_and_exit_1(invoke: Invoke) -> None:
    result = invoke("quotes", "--since", "2030", "--format", "csv")
    assert result.exit_code == 1
    assert result.stderr.strip() == "kb: no quotes match these filters"


def test_a_since_after_the_until_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("quotes", "--since", "2023-09-21", "--until", "2023-09-20")
    assert result.exit_code == 2
    assert result.stdout == ""


@pytest.mark.parametrize("fmt", ["plain", "csv", "jsonl", "markdown"])
def test_every_format_lists_every_quote(invoke: Invoke, fmt: str) -> None:
    result = invoke("quotes", "--format", fmt)
    assert result.exit_code == 0
    every = json.loads(FACTS.read_text(encoding="utf-8"))["quotes"]
    assert all(quote["id"] in result.stdout for quote in every)


def test_an_indexed_base_lists_the_same_quotes_from_its_index(invoke: Invoke, large: Path) -> None:
    whole = invoke("--facts", str(large), "quotes", "--since", "2023-09-20", "--json")
    assert whole.exit_code == 0
    with answered_from_the_index():
        again = invoke("--facts", str(large), "quotes", "--since", "2023-09-20", "--json")
    assert again.exit_code == 0
    assert json.loads(again.stdout) == json.loads(whole.stdout)
    assert len(json.loads(whole.stdout)) > 100
