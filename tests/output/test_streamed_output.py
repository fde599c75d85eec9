"""Long listings written as their rows are made: the same bytes as writing them all at once, a
bounded number of rows held, and the right exit codes when nothing is found or the reader
goes away."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from karabakh_cli.output import render, views
from karabakh_cli.output.render import Format
from tests.conftest import Invoke

STREAMED = [Format.json, Format.jsonl, Format.csv, Format.plain]


# Text with the characters every format treats apart: controls, quotes, separators, non-ASCII.
_text = st.text(alphabet=st.sampled_from('ab é"\t\n\r,|\\\x1b\x7f\x85\u2028'), max_size=8)


# Rows of one shape, as every streamed listing's are: each field always nested or never.
_FIELDS = {
    "id": _text,
    "name": st.none() | _text,
    "speaker": st.fixed_dictionaries({"id": _text, "name": st.none() | _text}),
    "tags": st.lists(_text, max_size=2),
    "count": st.none() | st.booleans() | st.integers(-5, 5),
}


_COLUMNS = [views.Column(field.capitalize(), field) for field in _FIELDS]


_rows = st.lists(st.fixed_dictionaries(_FIELDS), max_size=7)


def written(listing: views.Listing, fmt: Format) -> tuple[int, str]:
    out = io.StringIO()
    count = render.write(listing, fmt, out)
    return count, out.getvalue()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=_rows, fmt=st.sampled_from(STREAMED), vertical=st.booleans())
def test_rows_written_as_made_equal_rows_written_whole(
    monkeypatch: pytest.MonkeyPatch, rows: list[dict[str, Any]], fmt: Format, vertical: bool
) -> None:
    """An iterator of rows, written in batches of two, gives the same text and count as the
    list of them."""
    monkeypatch.setattr(render, "_BATCH", 2)
    whole = views.Listing("T", rows, _COLUMNS, vertical=vertical)
    streamed = views.Listing("T", iter(rows), _COLUMNS, vertical=vertical)
    assert written(streamed, fmt) == written(whole, fmt)
    assert written(whole, fmt)[0] == len(rows)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=_rows)
def test_streamed_json_is_the_json_of_the_whole_list(
    monkeypatch: pytest.MonkeyPatch, rows: list[dict[str, Any]]
) -> None:
    """--json written a batch at a time is json_text of every row, and parses back to them."""
    monkeypatch.setattr(render, "_BATCH", 3)
    count, text = written(views.Listing("T", iter(rows), _COLUMNS), Format.json)
    assert count == len(rows)
    assert text == render.json_text(rows)
    assert json.loads(text) == rows


@pytest.mark.parametrize("fmt", list(Format))
def test_an_empty_stream_writes_what_an_empty_list_writes(fmt: Format) -> None:
    """No rows: an empty array in JSON, nothing in any other format, and a count of 0."""
    assert written(views.Listing("T", iter([]), _COLUMNS), fmt) == (
        0,
        {Format.json: "[]\n", Format.csv: "id,name,speaker,tags,count\r\n"}.get(fmt, ""),
    )


@pytest.mark.parametrize("fmt", STREAMED)
def test_rows_are_written_before_the_next_batch_is_made(fmt: Format) -> None:
    """A streamed listing's first text is written before more than one batch of rows exists:
    what is held does not grow with the listing."""
    made = 0
    made_at_first_write: list[int] = []

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal made
        for number in range(5 * render._BATCH):
            made += 1
            yield {"id": f"r-{number}", "name": "n", "speaker": None, "tags": [], "count": 1}

    class Recording(io.StringIO):
        def write(self, text: str) -> int:
            made_at_first_write.append(made)
            return super().write(text)

    out = Recording()
    assert render.write(views.Listing("T", rows(), _COLUMNS), fmt, out) == 5 * render._BATCH
    assert made_at_first_write[0] <= render._BATCH


def test_a_closed_output_stops_the_rows() -> None:
    """Once its output is closed (the reader went away), a writer makes no more rows, and
    counts those it wrote."""
    made = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal made
        for number in range(10 * render._BATCH):
            made += 1
            yield {"id": f"r-{number}"}

    class GoneAfterOneWrite(io.StringIO):
        gone = False

        @property
        def closed(self) -> bool:
            return self.gone

        def write(self, text: str) -> int:
            self.gone = True
            return len(text)

    count = render.write(views.Listing("T", rows(), _COLUMNS), Format.jsonl, GoneAfterOneWrite())
    assert count == render._BATCH
    assert made <= render._BATCH + 1


@pytest.mark.parametrize("fmt", [*(fmt.value for fmt in Format)])
def test_nothing_found_exits_1_in_every_format(invoke: Invoke, fmt: str) -> None:
    """An empty streamed listing still exits 1, with an empty array for JSON only."""
    result = invoke("timeline", "--since", "2030", "--format", fmt)
    assert result.exit_code == 1
    empty = {"json": "[]\n", "csv": "date,what,where,actors,id\n"}  # CSV: its header
    assert result.stdout == empty.get(fmt, "")
