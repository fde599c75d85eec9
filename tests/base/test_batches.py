"""Reading a fact base a batch of records at a time (batches.Reader): the same records as a
whole decode, each with its exact text, whatever the layout, the piece size and the text of
the records; and never a wrong record from a broken file."""

from __future__ import annotations

import io
import json
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from karabakh_cli import model
from karabakh_cli.base import batches, factbase

# Texts that look like the end of a record, to lure the reader's guesses into strings.
LURES = ['}, {"id": "x"}', "}]", '"}, {', "\\", '\\"}, ', "}", "{", "[", "]", "ü “é” ﬁ", "\n"]
text = st.lists(st.sampled_from(LURES) | st.text(max_size=12), max_size=6).map("".join)


def quote(index: int, words: str) -> dict[str, Any]:
    return {
        "id": f"q-{index}",
        "speaker": "p-0",
        "text": words or "x",
        "date": "2023-09-20",
        "place": None,
        "medium": "statement",
        "source": "src-a",
        "excerpt": f"“{words or 'x'}”",
    }


PERSON = {
    "id": "p-0",
    "name": "Anna {Petrosyan}",
    "kind": "person",
    "role": None,
    "aliases": ["A. P.", "}, {"],
    "source": "src-a",
    "excerpt": "Anna spoke.",
}
SOURCE = {
    "id": "src-a",
    "title": "A }",
    "publisher": "P",
    "date": "2023-09-21",
    "language": "en",
    "url": None,
}


def base_of(texts: list[str]) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "sources": [SOURCE],
        "people": [PERSON],
        "quotes": [quote(index, words) for index, words in enumerate(texts)],
        "terms": [],
        "events": [],
    }


def layouts(base: dict[str, Any], order: list[str], indent: int | None) -> bytes:
    ordered = {key: base[key] for key in order}
    return json.dumps(ordered, indent=indent, ensure_ascii=indent is None).encode()


def read(data: bytes, piece: int) -> tuple[dict[str, list[model.Record]], list[bytes]]:
    """Every record the reader yields, by collection, and each record's text."""
    found: dict[str, list[model.Record]] = {name: [] for name in model.COLLECTIONS}
    texts: list[bytes] = []
    position = 0
    for batch in batches.Reader(io.BytesIO(data), 1 << 30, piece=piece).batches():
        records = found[batch.kind.collection]
        assert batch.first_index == len(records)
        assert batch.first_position == position
        assert len(batch.texts) == len(batch.records)
        records += batch.records
        texts += [bytes(text) for text in batch.texts]
        position += len(batch.records)
    return found, texts


def whole(data: bytes) -> dict[str, list[model.Record]]:
    base = msgspec.json.decode(data, type=model.FactBase)
    return {name: getattr(base, name) for name in model.COLLECTIONS}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(text, max_size=30),
    order=st.permutations(["schema_version", *model.COLLECTIONS]),
    indent=st.sampled_from([None, 0, 2]),
    piece=st.integers(min_value=1, max_value=400),
)
def test_the_records_are_those_of_a_whole_decode(
    texts: list[str], order: list[str], indent: int | None, piece: int
) -> None:
    """Any layout, collection order, piece size and text: the records of a whole decode, in
    order, each with its own text as the file holds it."""
    data = layouts(base_of(texts), order, indent)
    found, record_texts = read(data, piece)
    assert found == whole(data)
    for record_text in record_texts:
        assert record_text in data
        assert msgspec.json.decode(record_text)["id"]


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(text, min_size=1, max_size=8),
    cut=st.floats(min_value=0, max_value=1),
    insert=st.sampled_from(["", "}", "]", ",", '"', "x", "{", "\\", " "]),
    piece=st.integers(min_value=1, max_value=200),
)
def test_a_damaged_file_never_yields_wrong_records(
    texts: list[str], cut: float, insert: str, piece: int
) -> None:
    """A file with a character inserted, or cut short, is either refused (NotStreamable) or
    read exactly as a whole decode reads it: never records the file does not hold."""
    data = layouts(base_of(texts), ["schema_version", *model.COLLECTIONS], 1)
    at = int(cut * len(data))
    damaged = data[:at] + insert.encode() if not insert else data[:at] + insert.encode() + data[at:]
    try:
        expected = whole(damaged)
    except (msgspec.DecodeError, UnicodeDecodeError):
        expected = None
    try:
        found, _ = read(damaged, piece)
    except batches.NotStreamable:
        return
    assert found == expected


def test_a_record_larger_than_a_piece_is_read_whole() -> None:
    """A record longer than a piece, full of lures, is found by the exact scan."""
    data = layouts(base_of(["}, {" * 500, "plain"]), ["schema_version", *model.COLLECTIONS], 2)
    found, _ = read(data, 16)
    assert [quote.id for quote in found["quotes"]] == ["q-0", "q-1"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("data", "message", "where"),
    [
        (b"", "JSON ends too early: the file is truncated", (1, 1)),
        (b"[]", "invalid JSON: expected a JSON object", (1, 1)),
        (b'{"schema_version": 1, "quotes": [{"id": "q-1"', "JSON ends too early", None),
        (b'{"schema_version": 1,\n  "extra": 2}', "unknown field 'extra'", (2, 3)),
        (b'{"quotes": [], "quotes": []}', "the field 'quotes' is given twice", (1, 16)),
        (b'{"schema_version": 1}', "object is missing the field 'sources'", None),
        (
            b'{"schema_version": 2, "sources": [], "people": [], "quotes": [], "terms": [], '
            b'"events": []}',
            "schema_version must be 1, got 2",
            None,
        ),
        (
            b'{"schema_version": 1, "sources": [{"id": 3}]}',
            "sources[0].id: Expected `str`",
            (1, 35),
        ),
        (b'{"schema_version": 1, "terms": [1 2]}', "invalid JSON", (1, 35)),
        (b'{"sch\xffema_version": 1}', "invalid JSON: expected a field name", (1, 2)),
        (
            b'{"schema_version": 1, "sources": [\n'
            + json.dumps(SOURCE).encode()
            + b',\n  {"id": 3}]}',
            "sources[1].id: Expected `str`",
            (3, 3),
        ),
        (b'{"schema_version": 1,' + b" " * 300 + b'"extra": 2}', "unknown field 'extra'", (1, 322)),
    ],
)
def test_what_cannot_be_streamed_says_what_and_where(
    data: bytes, message: str, where: tuple[int, int] | None
) -> None:
    """Each refusal names the problem and, where it knows, its line and column."""
    with pytest.raises(batches.NotStreamable) as refused:
        read(data, 64)
    assert refused.value.message.startswith(message)
    if where is not None:
        assert refused.value.where == where


def test_a_schema_given_as_null_is_read_as_a_whole_read_reads_it() -> None:
    """ "$schema": null is what the model allows, as a batch-wise read allows it."""
    base = {"$schema": None, **base_of(["a"])}
    data = json.dumps(base).encode()
    assert read(data, 32)[0] == whole(data)


def test_a_file_over_the_limit_is_refused_as_it_is_read() -> None:
    """The limit holds for a stream with no size: reading stops past it."""
    data = layouts(base_of(["x" * 100] * 50), ["schema_version", *model.COLLECTIONS], 2)
    with pytest.raises(batches.TooLarge):
        list(batches.Reader(io.BytesIO(data), len(data) // 2, piece=256).batches())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(text, min_size=1, max_size=8),
    faults=st.lists(
        st.sampled_from(["duplicate", "dangling", "date", "unused", "verbatim", "alias"]),
        max_size=4,
    ),
    order=st.permutations(["schema_version", *model.COLLECTIONS]),
    indent=st.sampled_from([None, 1, 4]),
    piece=st.integers(min_value=1, max_value=300),
)
def test_validating_a_batch_at_a_time_finds_what_a_whole_read_finds(
    tmp_path_factory: pytest.TempPathFactory,
    texts: list[str],
    faults: list[str],
    order: list[str],
    indent: int | None,
    piece: int,
) -> None:
    """The problems of a base checked a batch at a time, and their lines and columns, are
    those of a whole read, whatever the layout and however the pieces fall (lines that
    began pieces before included)."""
    base = base_of(texts)
    quotes, people = base["quotes"], base["people"]
    for number, fault in enumerate(faults):
        victim = quotes[number % len(quotes)]
        if fault == "duplicate":
            victim["id"] = quotes[0]["id"]
        elif fault == "dangling":
            victim["speaker"] = "p-nobody"
        elif fault == "date":
            victim["date"] = "2023-02-30"
        elif fault == "unused":
            people.append(
                {**PERSON, "id": f"p-unused-{number}", "name": f"N {number}", "aliases": []}
            )
        elif fault == "verbatim":
            victim["text"] = "not in the excerpt"
        else:
            people.append({**PERSON, "id": f"p-twin-{number}", "aliases": []})
    path = tmp_path_factory.mktemp("base") / "facts.json"
    path.write_bytes(layouts(base, order, indent))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batches, "PIECE", piece)
        assert factbase.diagnose_file(path) == factbase.diagnose(path.read_bytes(), path.parent)
