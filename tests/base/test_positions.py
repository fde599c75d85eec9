"""Line and column of JSON values: one pass over the text for any number of look-ups."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from karabakh_cli.base import positions
from karabakh_cli.base.problems import JsonPath

TEXT = '{\n  "a": [1, {"b": "x\\"y"}],\n  "c": {"d": null}\n}'


def _naive(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, len(before.rsplit("\n", 1)[-1]) + 1


@given(st.text(alphabet="ab\n", max_size=60), st.data())
def test_lines_agree_with_counting_from_the_start(text: str, data: st.DataObject) -> None:
    """Every offset gets the line and column that counting newlines from the start gives."""
    offset = data.draw(st.integers(0, len(text)))
    assert positions.Lines(text).line_column(offset) == _naive(text, offset)
    assert positions.line_column(text, offset) == _naive(text, offset)


def test_line_column_of_byte_counts_characters_not_bytes() -> None:
    """A byte offset after multi-byte characters gives a column in characters."""
    data = "ab\nəx".encode()
    assert positions.line_column_of_byte(data, data.index(b"x")) == (2, 2)


def test_locate_finds_keys_items_and_nested_values() -> None:
    """Object members, array items and nested values are placed where their value starts."""
    found = positions.line_columns(TEXT, [("a",), ("a", 1, "b"), ("c", "d"), ("a", 0)])
    assert found == {("a",): (2, 8), ("a", 0): (2, 9), ("a", 1, "b"): (2, 18), ("c", "d"): (3, 14)}


def test_locate_leaves_out_paths_not_in_the_text() -> None:
    """A path that does not occur is absent from the answer, not guessed."""
    assert positions.line_columns(TEXT, [("a", 5), ("z",)]) == {}


def test_locate_places_every_item_of_a_large_array() -> None:
    """Tens of thousands of findings are all placed, each on its own line."""
    items = [{"id": f"p-{index}", "name": "x"} for index in range(50_000)]
    text = json.dumps({"people": items}, indent=0)
    wanted: list[JsonPath] = [("people", index, "name") for index in range(0, 50_000, 7)]
    found = positions.line_columns(text, wanted)
    assert len(found) == len(wanted)
    for path in wanted[:50]:
        line, column = found[path]
        assert text.splitlines()[line - 1][column - 1 :] == '"name": "x"'[8:]


def test_locate_skips_values_that_hold_no_wanted_path() -> None:
    """A path after a large skipped value is still placed correctly."""
    text = json.dumps({"quotes": [{"t": '[{"}'}] * 1000, "people": [{"n": 1}]}, indent=1)
    line, column = positions.line_columns(text, [("people", 0, "n")])[("people", 0, "n")]
    assert text.splitlines()[line - 1][column - 1 :] == "1"


def test_locate_walks_nesting_too_deep_to_skip() -> None:
    """A value nested deeper than the skipping scanner allows is walked instead, not a crash."""
    text = '{"a": ' + "[" * 3000 + "]" * 3000 + ', "b": 1}'
    assert positions.line_columns(text, [("b",)]) == {("b",): (1, 6014)}
