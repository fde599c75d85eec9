"""A long string costs its length once: the batch-wise reader scans a string read over many
chunks from where it stopped, never from its start, and ends it where a whole scan ends it."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from karabakh_cli import model
from karabakh_cli.base import batches, keys

# The slow reference: one regular expression over the whole string.
WHOLE_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
# Characters that make a string's end hard to find: quotes and backslashes, escaped or not.
TRICKY = st.sampled_from(['"', "\\", '\\"', "\\\\", "}", "“", "\n", "\u2028", "x"])


@given(
    body=st.lists(TRICKY | st.text(max_size=5), max_size=20).map("".join),
    after=st.sampled_from([b"", b", ", b'"x"', b"\\"]),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=6),
)
def test_a_string_read_in_chunks_ends_where_a_whole_scan_ends(
    body: str, after: bytes, cuts: list[int]
) -> None:
    """However the string is cut into chunks, its end is the reference's end."""
    data = json.dumps(body, ensure_ascii=False).encode() + after
    expected = WHOLE_STRING.match(data)
    assert expected is not None
    at, ended = 1, False
    for cut in [*sorted(cuts), len(data)]:
        at, ended = keys.string_end(data[: max(cut, at)], at)
        if ended:
            break
    assert ended
    assert at == expected.end()


def quote(index: int, text: str) -> dict[str, Any]:
    return {
        "id": f"q-{index}",
        "speaker": "p-0",
        "text": text,
        "date": "2023-09-20",
        "place": None,
        "medium": "statement",
        "source": "src-a",
        "excerpt": text,
    }


def test_a_long_quote_is_scanned_in_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """A quote of 64 pieces, with lures and escapes, read a piece at a time: the bytes its
    string scans look at, and the bytes the buffer copies, grow with its length, not with
    its square (the reader used to scan the string from its start after every read)."""
    text = 'talks }, {"id": "q-x"} \\ "quoted" ' * 2_000
    data = json.dumps(
        {
            "schema_version": 1,
            "sources": [],
            "people": [],
            "quotes": [quote(0, "short"), quote(1, text), quote(2, "after")],
            "terms": [],
            "events": [],
        }
    ).encode()
    piece = len(data) // 64
    scanned = 0
    real_end = keys.string_end

    def counted(buffer: bytes, at: int) -> tuple[int, bool]:
        nonlocal scanned
        end, ended = real_end(buffer, at)
        scanned += end - at
        return end, ended

    monkeypatch.setattr(keys, "string_end", counted)
    reader = batches.Reader(io.BytesIO(data), len(data) + 1, piece=piece)
    copied = 0
    real_more = reader._more

    def more() -> bool:
        nonlocal copied
        read = real_more()
        copied += len(reader._buffer)
        return read

    monkeypatch.setattr(reader, "_more", more)
    quotes = [record for batch in reader.batches() for record in batch.records]
    assert [record.id for record in quotes] == ["q-0", "q-1", "q-2"]
    assert isinstance(quotes[1], model.Quote) and quotes[1].text == text
    # A rescan, or a copy of the whole buffer, after each read of a piece would be about
    # 64 / 2 times the file; each read copies what it keeps, and the doubling buffer a long
    # record once or twice more. The strings are scanned to cut the records, and once more
    # by the look for repeated keys in a record whose strings hold '":'.
    assert scanned <= 3 * len(data)
    assert copied <= 8 * len(data)
