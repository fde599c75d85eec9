"""Loading and checking fact bases: the built-in one is clean, broken ones are named precisely."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from karabakh_cli.base import archive, factbase
from karabakh_cli.base.problems import FactBaseError
from karabakh_cli.model import parse_partial_date
from karabakh_cli.text import contains_verbatim, normalise_quoting
from tests.conftest import FACTS

WriteBase = Callable[..., Path]


def test_builtin_base_loads_with_its_counts() -> None:
    """The built-in base decodes and passes every integrity check."""
    base = factbase.load(FACTS)
    counts = [
        len(base.sources),
        len(base.people),
        len(base.quotes),
        len(base.terms),
        len(base.events),
    ]
    assert counts == [1, 12, 9, 4, 9]


def test_builtin_base_has_no_problems_against_its_archive() -> None:
    """Every excerpt occurs verbatim in the archived source text; no errors, no warnings."""
    assert factbase.diagnose(FACTS.read_bytes(), FACTS.parent) == []


def test_every_excerpt_is_located_in_the_archive() -> None:
    """Each excerpt's offsets in the archived text point at that excerpt's own words."""
    base = factbase.load(FACTS)
    (source,) = base.sources
    assert source.archive is not None
    text = archive.read_text(FACTS.parent, source.archive)
    for record in [*base.people, *base.quotes, *base.terms, *base.events]:
        passage = archive.passage_of(FACTS, source, record.excerpt)
        assert passage.exact == text[passage.start : passage.end], record.id
        assert normalise_quoting(passage.exact) == normalise_quoting(record.excerpt), record.id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1991", (1991, 0, 0, False)),
        ("2020-11", (2020, 11, 0, False)),
        ("2023-09-20", (2023, 9, 20, False)),
        ("2023-09-20?", (2023, 9, 20, True)),
        ("2024-02-29", (2024, 2, 29, False)),
    ],
)
def test_partial_dates_parse(text: str, expected: tuple[int, int, int, bool]) -> None:
    """Dates keep their precision and uncertainty."""
    assert tuple(parse_partial_date(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2023-13-45",
        "2023-02-30",
        "2023-02-29",
        "23-09-20",
        "2023/09/20",
        "",
        "2023-9-1",
        "Sept 2023",
    ],
)
def test_bad_partial_dates_are_refused(text: str) -> None:
    """Malformed and impossible dates raise ValueError."""
    with pytest.raises(ValueError, match=r"expected|impossible"):
        parse_partial_date(text)


def test_partial_dates_sort_coarse_first() -> None:
    """1991 < 2020 < 2023-09 < 2023-09-19 < 2023-09-20."""
    dates = ["2023-09-20", "2020", "2023-09-19", "1991", "2023-09"]
    assert sorted(dates, key=parse_partial_date) == [
        "1991",
        "2020",
        "2023-09",
        "2023-09-19",
        "2023-09-20",
    ]


def load_error(path: Path) -> str:
    with pytest.raises(FactBaseError) as caught:
        factbase.load(path)
    return str(caught.value)


def mutate(base: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    change(base)
    return base


BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "impossible date",
        lambda b: b["quotes"][3].update(date="2023-13-45"),
        "quotes[3] (q-defender-no-celebration).date: expected YYYY[-MM[-DD]]",
    ),
    (
        "no such day",
        lambda b: b["events"][0].update(date="2023-02-30"),
        "events[0] (e-independence-1991).date: impossible date '2023-02-30'",
    ),
    (
        "dangling speaker",
        lambda b: b["quotes"][0].update(speaker="nobody"),
        "quotes[0] (q-aliyev-sovereignty).speaker: no person has the id 'nobody'",
    ),
    (
        "dangling actor",
        lambda b: b["events"][1]["actors"].append("ghost"),
        "(e-negotiations-announced).actors[3]: no person has the id 'ghost'",
    ),
    (
        "dangling source",
        lambda b: b["terms"][0].update(source="src-x"),
        "terms[0] (t-withdrawal-armenian-forces).source: no source has the id 'src-x'",
    ),
    (
        "duplicate id",
        lambda b: b["quotes"].append(dict(b["quotes"][0])),
        "duplicate id 'q-aliyev-sovereignty', first used by quotes[0]",
    ),
    (
        "quote not in excerpt",
        lambda b: b["quotes"][8].update(text="These talks will fail"),
        "quotes[8] (q-putin-mediation).text: text does not occur verbatim in the excerpt",
    ),
    (
        "wrong type",
        lambda b: b["quotes"][2].update(speaker=5),
        "quotes[2] (q-aliyev-lay-down-arms).speaker: expected str, got number",
    ),
    (
        "missing field",
        lambda b: b["terms"][1].pop("quoted"),
        "terms[1] (t-dissolution-defense-army): missing required field 'quoted'",
    ),
    (
        "unknown field",
        lambda b: b["events"][0].update(colour="red"),
        "events[0] (e-independence-1991).colour: unknown field 'colour'",
    ),
    (
        "empty string",
        lambda b: b["people"][0]["aliases"].append(""),
        "people[0] (ilham-aliyev).aliases[3]: must not be empty",
    ),
    (
        "shared alias",
        lambda b: b["people"][2]["aliases"].append("Ilham Aliev"),
        "people[2] (vladimir-putin).aliases[2]: 'Ilham Aliev' already names 'ilham-aliyev'",
    ),
    (
        "bad kind",
        lambda b: b["people"][0].update(kind="robot"),
        "kind: must be one of 'person', 'organisation', 'state', got 'robot'",
    ),
    (
        "dangling contradicts",
        lambda b: b["quotes"][8].update(contradicts=["q-nope"]),
        "contradicts[0]: no quote has the id 'q-nope'",
    ),
    (
        "self link",
        lambda b: b["quotes"][8].update(responds_to=["q-putin-mediation"]),
        "responds_to[0]: a quote cannot link to itself",
    ),
    (
        "malformed id",
        lambda b: b["terms"][2].update(id="Term 3"),
        "terms[2] (Term 3).id: must be a record id (lower-case letters, digits and hyphens), got 'Term 3'",
    ),
    (
        "bad schema version",
        lambda b: b.update(schema_version=2),
        "schema_version: must be one of 1, got 2",
    ),
    ("missing collection", lambda b: b.pop("terms"), "missing required field 'terms'"),
    ("collection not a list", lambda b: b.update(events={}), "events: expected array, got object"),
]


@pytest.mark.parametrize(
    ("change", "message"), [(c, m) for _, c, m in BROKEN], ids=[n for n, _, _ in BROKEN]
)
def test_broken_records_are_named_by_file_record_and_field(
    base: dict[str, Any],
    write_base: WriteBase,
    change: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    """Each structural or integrity error names the file, the record and the field."""
    path = write_base(mutate(base, change))
    error = load_error(path)
    assert error.startswith(f"{path}:")
    assert message in error


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"   \n", "file is empty"),
        (b'{"schema_version": 1, "sources": [', "JSON ends too early"),
        (b'\xef\xbb\xbf{"schema_version": 1}', "byte-order mark"),
        (b'{"a": "\xff"}', "invalid UTF-8 byte 0xff"),
        (b"[1, 2, 3]", "expected a JSON object at the top level, got array"),
        (b'"just a string"', "expected a JSON object at the top level, got string"),
        (b"[" * 200_000 + b"]" * 200_000, "nests too deeply"),
        (b'{"schema_version": 1,}', "invalid JSON: trailing comma"),
        (b"\x00\x01\x02garbage", "invalid JSON"),
    ],
    ids=[
        "empty",
        "blank",
        "truncated",
        "bom",
        "bad-utf8",
        "array",
        "string",
        "deep",
        "trailing-comma",
        "binary",
    ],
)
def test_unreadable_content_is_one_clear_problem(
    write_base: WriteBase, content: bytes, message: str
) -> None:
    """Bad bytes, bad syntax and the wrong shape each give one message that says what and where."""
    assert message in load_error(write_base(content))


def test_missing_file_and_directory_are_named(tmp_path: Path) -> None:
    """A path that is not a file says so."""
    assert load_error(tmp_path / "absent.json") == f"{tmp_path / 'absent.json'}: no such file"
    assert load_error(tmp_path) == f"{tmp_path}: is a directory, not a fact base file"


def test_a_50_mb_file_of_garbage_is_refused_quickly(write_base: WriteBase) -> None:
    """A large file that is not JSON fails with a syntax error, not a crash."""
    path = write_base(b"[" + b"1," * (25 * 1024 * 1024) + b"x]")
    assert "invalid JSON" in load_error(path)


def test_syntax_errors_carry_line_and_column(write_base: WriteBase) -> None:
    """The position of a syntax error is given as line:column."""
    path = write_base(b'{\n  "schema_version": 1,\n  "sources": [,]\n}')
    problems = factbase.diagnose(path.read_bytes())
    assert (problems[0].line, problems[0].column) == (3, 15)


def test_diagnose_reports_every_problem_with_positions(
    base: dict[str, Any], write_base: WriteBase
) -> None:
    """validate's engine finds all problems at once, each with its line."""
    base["quotes"][3]["date"] = "2023-13-45"
    base["quotes"][0]["speaker"] = "nobody"
    base["events"][0]["colour"] = "red"
    path = write_base(base)
    problems = factbase.diagnose(path.read_bytes())
    lines = [p.as_validate_line("f.json") for p in problems]
    assert len(problems) == 3, lines
    assert all(p.line for p in problems)
    assert any(": q-defender-no-celebration.date: expected" in line for line in lines)
    assert any(": e-independence-1991.colour: unknown field 'colour'" in line for line in lines)
    assert any(
        ": q-aliyev-sovereignty.speaker: no person has the id 'nobody'" in line for line in lines
    )


def test_unreferenced_people_and_sources_are_warnings(
    base: dict[str, Any], write_base: WriteBase
) -> None:
    """A person nothing involves is a warning, not an error."""
    base["people"].append(
        {**base["people"][4], "id": "lonely", "name": "Lonely Person", "aliases": []}
    )
    problems = factbase.diagnose(write_base(base).read_bytes())
    assert [(p.record_id, p.severity) for p in problems] == [("lonely", "warning")]


def test_verbatim_check_normalises_only_quotes_and_whitespace() -> None:
    """Typographic and straight quotation marks and whitespace runs compare equal; nothing else does."""
    assert contains_verbatim("he said “yes”  now", '"yes" now')
    assert not contains_verbatim("he said “yes” now", "“Yes” now")
    assert not contains_verbatim("he said “yes” now", "“yes” now!")


def test_schema_version_and_collections_are_required() -> None:
    """The JSON Schema lists every collection as required."""
    import msgspec

    from karabakh_cli.model import FactBase

    schema = msgspec.json.schema(FactBase)
    required = set(schema["$defs"]["FactBase"]["required"])
    quote = schema["$defs"]["Quote"]["properties"]
    assert quote["speaker"]["pattern"] == "^[a-z0-9][a-z0-9-]*$"
    date_form = re.compile(quote["date"]["pattern"])
    assert [bool(date_form.match(text)) for text in ("1991", "2023-09-20?", "23-9", "2023/09")] == [
        True,
        True,
        False,
        False,
    ]
    assert {"schema_version", "sources", "people", "quotes", "terms", "events"} <= required
    source = schema["$defs"]["Source"]
    assert source["properties"]["archive"]["anyOf"] == [
        {"$ref": "#/$defs/Archive"},
        {"type": "null"},
    ]
    assert "archive" not in source["required"]
    assert schema["$defs"]["Archive"]["required"] == ["path", "sha256"]
