"""Long listings written as their rows are made: the same bytes as writing them all at once,
a bounded number of rows held, and the right exit codes when nothing is found or the reader
goes away."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from karabakh_cli.base.problems import FactBaseError
from karabakh_cli.index import loading
from karabakh_cli.output import render, views
from karabakh_cli.output.render import Format
from karabakh_cli.text import visible
from tests.conftest import KB, STABLE_ENV, Invoke, bench_generator, run_captured

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
        "[]\n" if fmt is Format.json else "",
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


@pytest.fixture
def large(tmp_path: Path, cache: Path) -> Path:
    """A 2,000-quote base (1.5 MB): large enough to be indexed."""
    path: Path = bench_generator().write(2000, tmp_path / "bases")
    return path


@pytest.mark.parametrize("fmt", [*(fmt.value for fmt in Format)])
def test_people_from_the_index_print_what_the_whole_base_prints(
    invoke: Invoke, large: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """kb people answered from the index (after it is built, and later) prints the same
    bytes as from the whole base, in every format."""
    building = invoke("--facts", str(large), "people", "--format", fmt)
    assert building.exit_code == 0
    later = invoke("--facts", str(large), "people", "--format", fmt)
    assert later.exit_code == 0
    monkeypatch.setattr(loading, "FROM_BYTES", 1 << 40)
    read_whole = invoke("--facts", str(large), "people", "--format", fmt)
    assert read_whole.exit_code == 0
    assert building.stdout == later.stdout == read_whole.stdout
    assert later.stdout


def test_people_answered_from_the_index_decode_no_quote(
    large: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once indexed, kb people's base holds no quotes: the counts come from the index."""
    loading.load(large, None, print)
    found = loading.Index.open(large, large.stat())
    assert found is not None
    facts = found.facts(large, loading.Everyone())
    assert facts is not None
    assert facts.content.quotes == []
    assert facts.content.people == []
    rows = list(views.people_listing(facts).rows)
    found.close()
    assert len(rows) == loading.Index.open(large, large.stat()).summary()["people"]  # type: ignore[union-attr]
    assert sum(row["quotes"] for row in rows) == 2000


@pytest.mark.parametrize("fmt", [*(fmt.value for fmt in Format)])
def test_nothing_found_exits_1_in_every_format(invoke: Invoke, fmt: str) -> None:
    """An empty streamed listing still exits 1, with an empty array for JSON only."""
    result = invoke("timeline", "--since", "2030", "--format", fmt)
    assert result.exit_code == 1
    assert result.stdout == ("[]\n" if fmt == "json" else "")


@pytest.mark.parametrize("fmt", ["jsonl", "json", "plain", "csv"])
def test_installed_people_into_a_reader_that_leaves_exit_quietly(
    large: Path, tmp_path: Path, fmt: str
) -> None:
    """`kb people | head -n 1` on an indexed base: exit 0, one line, nothing on stderr."""
    env = {**os.environ, **STABLE_ENV, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    built = run_captured([str(KB), "--facts", str(large), "index"], cwd=tmp_path, env=env)
    assert built.returncode == 0
    command = f"set -o pipefail; {KB} --facts {large} people --format {fmt} | head -n 1"
    result = run_captured(["bash", "-c", command], cwd=tmp_path, env=env)
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout.count("\n") == 1


def test_an_index_failing_while_people_are_written_is_removed_and_named(large: Path) -> None:
    """An index that fails half-way through kb people's rows (damaged past what opening it
    checks) ends the listing with a FactBaseError naming the base, and is removed, so the
    next run builds it afresh."""
    loading.load(large, None, print)
    found = loading.Index.open(large, large.stat())
    assert found is not None
    facts = found.facts(large, loading.Everyone())
    assert facts is not None and facts.counted is not None
    people = facts.counted()
    next(people)
    found.connection.close()
    with pytest.raises(FactBaseError, match=r"its index was damaged .* and is removed"):
        next(people)
    assert loading.describe(large) == loading.NOT_BUILT


def _shown(char: str) -> str:
    """A control character as visible shows it: a Control Pictures symbol, or \\xNN for C1."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else f"\\x{code:02x}"


@given(st.text(), st.booleans())
def test_visible_shows_every_control_character_whatever_the_text(
    text: str, keep_newlines: bool
) -> None:
    """text.visible (asked of every cell of a long listing, with a fast path for printable
    text) shows each C0 and C1 control character, but tabs and newlines where kept."""
    kept = "\t\n" if keep_newlines else ""
    expected = "".join(
        _shown(char)
        if char not in kept and (ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F)
        else char
        for char in text
    )
    assert visible(text, keep_newlines=keep_newlines) == expected
