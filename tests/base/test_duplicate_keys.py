"""Keys given twice in one JSON object are refused by every reader (a whole read, a batch-wise
read, kb validate), named with their line and column: a decoder would keep the last value
given and drop the others, so the file would say one thing to its reader and another to kb."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from karabakh_cli import files, model
from karabakh_cli.base import batches, factbase, keys
from karabakh_cli.base.problems import FactBaseError
from tests.conftest import FACTS, Invoke, kb

STALIN = '"name": "Vladimir Putin",\n      "name": "Joseph Stalin",'


def place(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """The 1-based line and column of the ``occurrence``-th ``needle`` in ``text``."""
    offset = -1
    for _ in range(occurrence):
        offset = text.index(needle, offset + 1)
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def builtin_text() -> str:
    return json.dumps(json.loads(FACTS.read_text(encoding="utf-8")), indent=2, ensure_ascii=False)


def with_stalin() -> str:
    text = builtin_text().replace('"name": "Vladimir Putin",', STALIN, 1)
    assert STALIN in text
    return text


def with_second_quotes() -> str:
    return builtin_text().rstrip().removesuffix("}") + ',\n  "quotes": []\n}\n'


# -- the scanners ----------------------------------------------------------------------------


def reference(text: bytes) -> list[str]:
    """The keys given twice, by the standard library's decoder: the slow reference."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                repeated.append(key)
            seen.add(key)
        return dict(items)

    json.loads(text, object_pairs_hook=pairs)
    return repeated


KEYS = st.sampled_from(["id", "name", "n\\u0061me", "a:b", '\\"q\\"', "", "ü", "\\\\", "}"])
SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)


def json_objects(depth: int) -> st.SearchStrategy[str]:
    """JSON text of an object whose keys may repeat (written as text: a dict cannot)."""
    values = SCALARS.map(json.dumps)
    if depth:
        values = (
            values
            | json_objects(depth - 1)
            | st.lists(json_objects(depth - 1)).map(lambda items: "[" + ", ".join(items) + "]")
        )
    members = st.lists(st.tuples(KEYS, values), max_size=5)
    return members.map(
        lambda items: "{" + ", ".join(f'"{key}": {value}' for key, value in items) + "}"
    )


@given(json_objects(2), st.sampled_from(["", " ", "\n  "]))
def test_the_key_by_key_scan_finds_what_the_standard_decoder_finds(text: str, space: str) -> None:
    """Every key given twice, escapes decoded ("n\\u0061me" is "name"), at any depth, and
    none where a string only looks like a key; with any white space before the colon."""
    data = text.replace('": ', f'"{space}: ').encode()
    found = list(keys.repeated_keys(data))
    assert sorted(repeated.key for repeated in found) == sorted(reference(data))
    for repeated in found:
        assert data[repeated.offset : repeated.offset + 1] == b'"'


def people(names: list[list[str]]) -> bytes:
    """An array of person records, each giving its name once per name listed."""
    records = []
    for index, given_names in enumerate(names):
        fields = [f'"id": "p-{index}"', *(f'"name": {json.dumps(name)}' for name in given_names)]
        fields += ['"kind": "person"', '"role": null', '"source": "s"', '"excerpt": "x"']
        records.append("{" + ", ".join(fields) + "}")
    return ("[" + ",\n ".join(records) + "]").encode()


LURING = st.sampled_from(['a": "b', 'x":', "\\", '"', "Putin"])


@given(
    st.lists(st.lists(LURING | st.text(min_size=1, max_size=4), min_size=1, max_size=3), max_size=6)
)
def test_the_quick_look_at_records_agrees_with_the_key_by_key_scan(names: list[list[str]]) -> None:
    """The look at an array of records (a count of keys against a count of colons, then the
    scan of the records where they differ) finds exactly what the scan of the whole finds,
    in the same places, with the record each is in."""
    data = people(names)
    records = msgspec.json.decode(data, type=list[model.Person])
    for typed in ([], records):
        quick = list(keys.repeated_in_records(data, model.Person, typed))
        assert [repeated for _, repeated in quick] == list(keys.repeated_keys(data))
        assert [index for index, _ in quick] == [
            index for index, given_names in enumerate(names) for _ in given_names[1:]
        ]


def test_a_clean_base_is_settled_without_the_key_by_key_scan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The built-in base, with its archives (nested objects) and colons in its texts, has no
    repeated key, and only its records that might are scanned key by key."""
    scanned: list[bytes] = []
    real = keys.repeated_keys

    def counted(text: bytes) -> Any:
        scanned.append(text)
        return real(text)

    monkeypatch.setattr(keys, "repeated_keys", counted)
    data = FACTS.read_bytes()
    assert keys.repeated_in_base(data, msgspec.json.decode(data, type=model.FactBase)) == []
    assert sum(map(len, scanned)) < len(data) / 2


# -- whole reads -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "needle", "occurrence", "message"),
    [
        (with_stalin, '"name": "Joseph Stalin"', 1, "people[2]: the field 'name' is given twice"),
        (with_second_quotes, '"quotes"', 2, "the field 'quotes' is given twice"),
    ],
)
def test_a_whole_read_refuses_a_repeated_key_with_its_line_and_column(
    tmp_path: Path, make: Any, needle: str, occurrence: int, message: str
) -> None:
    """A base read whole (under 1 MiB) with a repeated key is refused, the key placed."""
    text = make()
    path = tmp_path / "facts.json"
    path.write_text(text, encoding="utf-8")
    line, column = place(text, needle, occurrence)
    with pytest.raises(FactBaseError) as refused:
        factbase.load(path)
    assert str(refused.value).startswith(f"{path}:{line}:{column}: {message} in one object")


@pytest.mark.parametrize(
    ("make", "needle", "occurrence", "message"),
    [
        (with_stalin, '"name": "Joseph Stalin"', 1, "people[2]: the field 'name' is given twice"),
        (with_second_quotes, '"quotes"', 2, "the field 'quotes' is given twice"),
    ],
)
def test_lookups_and_validate_refuse_a_repeated_key(
    tmp_path: Path, invoke: Invoke, make: Any, needle: str, occurrence: int, message: str
) -> None:
    """kb quote putin does not print Putin's words under Stalin's name, and does not answer
    from an emptied base: it refuses (exit 3); kb validate reports the key (exit 1)."""
    text = make()
    path = tmp_path / "facts.json"
    path.write_text(text, encoding="utf-8")
    line, column = place(text, needle, occurrence)
    code, stdout, stderr = kb(path, "quote", "putin")
    assert code == 3
    assert "Stalin" not in stdout
    assert f"{path}:{line}:{column}: {message}" in stderr
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    assert f"{path}:{line}:{column}: {message} in one object" in result.stdout


def test_validate_reports_a_repeated_key_in_a_base_with_other_problems(
    tmp_path: Path, invoke: Invoke
) -> None:
    """A base that does not decode (a missing field) still has its repeated key reported."""
    text = with_stalin().replace('"medium": "interview with Le Monde",', "", 1)
    path = tmp_path / "facts.json"
    path.write_text(text, encoding="utf-8")
    line, column = place(text, '"name": "Joseph Stalin"')
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    assert f"{path}:{line}:{column}: the field 'name' is given twice" in result.stdout
    assert "missing required field 'medium'" in result.stdout


# -- batch-wise reads ------------------------------------------------------------------------


def large_with_repeat(large: Path) -> tuple[str, tuple[int, int]]:
    """The large base (read a batch at a time) with one quote giving its text twice."""
    text = large.read_text(encoding="utf-8")
    changed = text.replace('"id": "q-1500", ', '"id": "q-1500", "text": "Too Destroying", ', 1)
    assert changed != text
    large.write_text(changed, encoding="utf-8")
    return changed, place(changed, '"text"', occurrence=1502)


def test_the_batch_reader_refuses_a_repeated_key_with_its_line_and_column(
    large: Path,
) -> None:
    """batches.Reader names the record and the key, and where the second one stands."""
    text, where = large_with_repeat(large)
    assert place(text, '"id": "q-1500"')[1] < where[1]
    with pytest.raises(batches.NotStreamable) as refused, large.open("rb") as file:
        list(batches.Reader(file, 1 << 30, piece=64 * 1024).batches())
    assert refused.value.message.startswith("quotes[1500]: the field 'text' is given twice")
    assert refused.value.where == where


def test_the_batch_reader_refuses_a_repeated_top_level_key() -> None:
    """A second "quotes" at the top level is refused where it stands."""
    data = with_second_quotes().encode()
    with pytest.raises(batches.NotStreamable) as refused:
        list(batches.Reader(io.BytesIO(data), 1 << 30, piece=4096).batches())
    assert refused.value.message.startswith("the field 'quotes' is given twice")
    assert refused.value.where == place(data.decode(), '"quotes"', 2)


def test_a_large_base_with_a_repeated_key_is_refused_by_lookups_and_validate(
    large: Path, invoke: Invoke
) -> None:
    """Over 1 MiB a base is read a batch at a time: the lookup that builds the index refuses
    it (exit 3), and kb validate reports it (exit 1), each with the line and column."""
    _, (line, column) = large_with_repeat(large)
    looked_up = invoke("--facts", str(large), "quote", "Anna Petrosyan 0")
    assert looked_up.exit_code == 3
    assert f"{large}:{line}:{column}: quotes[1500]: the field 'text' is given twice" in (
        looked_up.stderr
    )
    result = invoke("validate", str(large))
    assert result.exit_code == 1
    assert f"{large}:{line}:{column}: quotes[1500]: the field 'text'" in result.stdout


def test_past_the_whole_read_limit_the_batch_reader_names_the_repeated_key(
    large: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Too large to read whole, the base's repeated key is the batch reader's own finding."""
    monkeypatch.setattr(files, "MAX_BYTES", 1024 * 1024)
    _, (line, column) = large_with_repeat(large)
    looked_up = invoke("--facts", str(large), "quote", "Anna Petrosyan 0")
    assert looked_up.exit_code == 3
    assert looked_up.stderr.splitlines()[0].startswith(
        f"kb: {large}:{line}:{column}: quotes[1500]: the field 'text' is given twice"
    )
    result = invoke("validate", str(large))
    assert result.exit_code == 1
    assert f"{large}:{line}:{column}: quotes[1500]: the field 'text'" in result.stdout


def test_a_repeated_key_in_a_record_the_model_checks_is_still_a_decode_of_the_last() -> None:
    """Why it matters: msgspec keeps the last value given, silently."""
    person = msgspec.json.decode(
        b'{"id": "p", "name": "Vladimir Putin", "name": "Joseph Stalin", "kind": "person",'
        b' "role": null, "source": "s", "excerpt": "x"}',
        type=model.Person,
    )
    assert person.name == "Joseph Stalin"


@pytest.mark.parametrize(
    "extra",
    ['"note": null, ', '"aliases": [], ', '"note": "said: \\"no\\": twice", ', ""],
)
def test_keys_given_with_their_default_or_colons_in_texts_are_no_repeat(extra: str) -> None:
    """A field given with its default value, or a text holding '":', is not taken for a
    repeated key, however the look settles it."""
    data = people([["Anna"]]).replace(b'"kind"', extra.encode() + b'"kind"')
    records = msgspec.json.decode(data, type=list[model.Person])
    assert list(keys.repeated_in_records(data, model.Person, records)) == []
    repeated = data.replace(b'"kind"', b'"kind": "state", "kind"')
    found = list(keys.repeated_in_records(repeated, model.Person, records))
    assert [(index, key) for index, (key, _) in found] == [(0, "kind")]
