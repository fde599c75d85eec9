"""The output contract of every command: formats, streams, exit codes, safe rendering, help."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, Invoke

LISTINGS = [
    ["quote", "Putin"],
    ["quote", "aliev"],
    ["terms"],
    ["timeline"],
    ["search", "peacekeepers"],
    ["who-said", "the Russians will not participate"],
    ["people"],
    ["show", "q-putin-mediation"],
    ["sources"],
    ["disputes"],
    ["cite", "q-putin-mediation"],
]
FORMATS = ["table", "plain", "json", "jsonl", "csv", "markdown"]


def parse(fmt: str, out: str) -> list[Any]:
    """Read an output back: one item per record, whatever the format."""
    if fmt == "json":
        rows = json.loads(out)
        assert isinstance(rows, list)
        return rows
    if fmt == "jsonl":
        return [json.loads(line) for line in out.splitlines()]
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out, newline="")))
        return rows
    if fmt == "markdown":
        table = [line for line in out.splitlines() if line.startswith("|")]
        assert re.fullmatch(r"\|( --- \|)+", table[1])
        widths = {line.count(" | ") for line in table}
        assert len(widths) == 1, "every markdown row has the same number of cells"
        return table[2:]
    if fmt == "plain":
        return out.splitlines()
    lines = out.splitlines()
    assert lines[0].strip(), "a table view starts with its title"
    # What a table has and plain rows do not: columns aligned with spaces, every line padded
    # to the table's width, and no tab between fields.
    assert "\t" not in out, "a table view aligns its columns with spaces"
    # The lines under the table (sources, signs) follow an empty line and wrap at the
    # terminal's width, not the table's.
    drawn = lines[: lines.index("")] if "" in lines else lines
    assert len({len(line) for line in drawn}) == 1, "every line of a table is as wide"
    return [out]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("args", LISTINGS, ids=[" ".join(a) for a in LISTINGS])
def test_every_listing_in_every_format(invoke: Invoke, args: list[str], fmt: str) -> None:
    """Each command prints parseable records in each format to stdout and exits 0."""
    result = invoke(*args, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert parse(fmt, result.stdout)
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", LISTINGS, ids=[" ".join(a) for a in LISTINGS])
def test_json_flag_is_format_json_and_jsonl_matches(invoke: Invoke, args: list[str]) -> None:
    """--json equals --format json, and jsonl holds the same objects one per line."""
    as_json = json.loads(invoke(*args, "--json").stdout)
    assert as_json == json.loads(invoke(*args, "--format", "json").stdout)
    assert as_json == parse("jsonl", invoke(*args, "--format", "jsonl").stdout)


def test_piped_default_is_plain_tab_separated(invoke: Invoke) -> None:
    """Not on a terminal, kb prints one tab-separated record per line, uncut."""
    result = invoke("timeline")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 9
    assert lines[0].split("\t")[0] == "1991"
    assert "…" not in result.stdout


def test_piped_table_wraps_and_never_cuts(invoke: Invoke) -> None:
    """--format table in a pipe still shows every word."""
    out = invoke("quote", "amirbayov", "-f", "table", env={"COLUMNS": "100"}).stdout
    assert "…" not in out
    words = re.findall(r"\w+", out)
    for word in ["bilateral", "dialogue", "participate", "legitimacy"]:
        assert word in words


def test_quote_json_fields_are_resolved(invoke: Invoke) -> None:
    """A quote carries its speaker's name and role and its source's title and date."""
    (row,) = json.loads(invoke("quote", "putin", "--json").stdout)
    assert row["speaker"] == {
        "id": "vladimir-putin",
        "name": "Vladimir Putin",
        "role": "President of Russia",
    }
    assert row["source"]["publisher"] == "Le Monde"
    assert row["source"]["date"] == "2023-09-21"
    assert (
        row["text"]
        == "These talks will take place with the mediation of the leadership of the Russian peacekeeping force"
    )
    assert row["contradicts"] == ["q-amirbayov-russians-not-participate"]


def test_quotes_are_in_date_order(invoke: Invoke) -> None:
    """A speaker's quotes come in date order."""
    rows = json.loads(invoke("quote", "Amirbayov", "--json").stdout)
    assert [row["date"] for row in rows] == sorted(row["date"] for row in rows)
    assert {row["speaker"]["id"] for row in rows} == {"elchin-amirbayov"}


def test_terms_are_numbered_in_document_order(invoke: Invoke) -> None:
    """Terms come numbered 1..n in the order the document gives them."""
    rows = json.loads(invoke("terms", "--json").stdout)
    assert [row["number"] for row in rows] == [1, 2, 3, 4]
    assert rows[0]["text"].startswith("Withdrawal of Remaining Units")
    assert rows[0]["quoted"] is True


def test_timeline_sorts_partial_dates(invoke: Invoke) -> None:
    """A year or a month alone sorts after the days it may hold, never before them."""
    dates = [row["date"] for row in json.loads(invoke("timeline", "--json").stdout)]
    assert dates[:3] == ["1991", "2020", "2023-09-19"]
    assert dates[-1] == "2023-09"


def test_csv_flattens_nested_fields(invoke: Invoke) -> None:
    """CSV has speaker_name and source_title columns, RFC 4180 quoted."""
    (row,) = parse("csv", invoke("quote", "putin", "-f", "csv").stdout)
    assert row["speaker_name"] == "Vladimir Putin"
    assert row["source_title"].startswith("Azerbaijan's offensive")


def test_markdown_cites_the_source(invoke: Invoke) -> None:
    """The markdown table ends with its source."""
    out = invoke("terms", "-f", "markdown").stdout
    assert any(line.startswith("Source: Le Monde") for line in out.splitlines())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["quote", "Pashinyan"], "no speaker matches 'Pashinyan'; 'kb people' lists everyone"),
        (
            ["quote", "Putinov"],
            "no speaker matches 'Putinov'; nearest known speakers: Vladimir Putin",
        ),
        (
            ["quote", "Heydar Aliyev"],
            "no speaker matches 'Heydar Aliyev'; nearest known speakers: Ilham Aliyev\n",
        ),
        (["quote", "Ramin Mammadov"], "matches Ramin Mammadov, whom the fact base never quotes"),
        (["quote", "putin", "--since", "2024"], "no quotes of Vladimir Putin match these filters"),
        (["timeline", "--place", "Moscow"], "no events match these filters"),
        (["search", "zebra"], "nothing in the fact base matches 'zebra'"),
        (["who-said", "the Russians will participate"], "no quote in the fact base matches"),
        (["show", "q-putin"], "no record has the id 'q-putin'; nearest: q-putin-mediation"),
    ],
)
def test_nothing_found_exits_1_with_empty_json(
    invoke: Invoke, args: list[str], message: str
) -> None:
    """A lookup that finds nothing exits 1, says why on stderr, and prints [] with --json."""
    result = invoke(*args, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []
    assert message in result.stderr
    plain = invoke(*args)
    assert plain.exit_code == 1
    assert plain.stdout == ""


def test_refusal_names_the_closest_quote_and_score(invoke: Invoke) -> None:
    """who-said refuses an invented quote but shows what came closest, saying it is no match."""
    result = invoke("who-said", "the Russians will participate")
    assert result.exit_code == 1
    assert (
        "the closest, NOT a match, scores 50: Elchin Amirbayov, “Their protection" in result.stderr
    )
    assert "(q-amirbayov-russians-not-participate)" in result.stderr


def test_fuzzy_name_match_is_announced(invoke: Invoke) -> None:
    """A name matched through a typo is answered, and stderr says which name it took."""
    result = invoke("quote", "putn")
    assert result.exit_code == 0
    assert "no exact match for 'putn'; showing Vladimir Putin" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["qoute", "putin"], "Did you mean 'quote'"),
        (["quote"], "Missing argument 'NAME...'"),
        (["quote", ""], "must not be empty"),
        (["quote", "   "], "must not be empty"),
        (["quote", "putin", "--bogus"], "No such option: --bogus"),
        (
            ["quote", "putin", "--since", "2023-13"],
            "Invalid value for '--since': expected YYYY[-MM[-DD]] with an optional trailing '?', got '2023-13' (no month 13)",
        ),
        (
            ["timeline", "--since", "2023-02-30"],
            "Invalid value for '--since': impossible date '2023-02-30': 2023-02 has no day 30",
        ),
        (
            ["quote", "putin", "--since", "20230920"],
            "Invalid value for '--since': expected YYYY[-MM[-DD]], e.g. 2023",
        ),
        (["timeline", "--until", "yesterday"], "Invalid value for '--until'"),
        (["terms", "--format", "xml"], "Invalid value for '--format'"),
        (["search", "x", "--limit", "-1"], "--limit"),
    ],
)
def test_usage_errors_exit_2_with_one_line(invoke: Invoke, args: list[str], message: str) -> None:
    """Bad arguments: exit 2, one line on stderr, nothing on stdout."""
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


@pytest.mark.parametrize("args", [*LISTINGS, ["validate"]], ids=str)
def test_broken_fact_base_exits_3_for_every_command(
    invoke: Invoke, tmp_path: Path, args: list[str]
) -> None:
    """Every command reading a broken base: exit 3, one to three lines on stderr, empty stdout."""
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 1, "sources": [', encoding="utf-8")
    result = (
        invoke("--facts", str(broken), *args)
        if args != ["validate"]
        else invoke("validate", str(tmp_path / "missing.json"))
    )
    assert result.exit_code == 3
    assert result.stdout == ""
    assert 1 <= len(result.stderr.strip().splitlines()) <= 3
    assert "Traceback" not in result.stderr


def test_facts_option_beats_environment(invoke: Invoke, tmp_path: Path) -> None:
    """--facts wins over KB_FACTS, which wins over the built-in base."""
    broken = tmp_path / "broken.json"
    broken.write_text("[]", encoding="utf-8")
    builtin = REPO / "facts.json"
    assert invoke("terms", env={"KB_FACTS": str(broken)}).exit_code == 3
    assert invoke("--facts", str(builtin), "terms", env={"KB_FACTS": str(broken)}).exit_code == 0
    assert f"Sources in {builtin}" in invoke("sources", "-f", "table").stdout


def hostile_base(base: dict[str, Any], tmp_path: Path) -> Path:
    text = "[bold]x[/] \x1b[31mred\x07 \x9b2J end"
    base["quotes"][8]["text"] = text
    base["quotes"][8]["excerpt"] = f"before {text} after"
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(base), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "markdown"])
def test_hostile_text_is_shown_never_obeyed(
    invoke: Invoke, base: dict[str, Any], tmp_path: Path, fmt: str
) -> None:
    """Markup shows literally; ESC, BEL and C1 controls never reach the terminal raw."""
    out = invoke("--facts", str(hostile_base(base, tmp_path)), "quote", "putin", "-f", fmt).stdout
    if fmt == "markdown":  # written escaped, as Markdown shows it literally
        out = re.sub(r"\\(.)", r"\1", out)
    assert "[bold]x[/]" in out
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", out.replace("\r\n", "\n"))
    assert "␛[31mred␇" in out


def test_hostile_text_round_trips_through_json(
    invoke: Invoke, base: dict[str, Any], tmp_path: Path
) -> None:
    """JSON escapes control characters and gives the text back exactly."""
    path = hostile_base(base, tmp_path)
    out = invoke("--facts", str(path), "quote", "putin", "--json").stdout
    assert "\x1b" not in out and "\x9b" not in out
    assert json.loads(out)[0]["text"] == "[bold]x[/] \x1b[31mred\x07 \x9b2J end"


@pytest.mark.parametrize(
    ("env", "coloured"),
    [
        ({"NO_COLOR": "1"}, False),
        ({"NO_COLOR": "", "FORCE_COLOR": "1"}, True),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        ({"NO_COLOR": ""}, False),
        ({"NO_COLOR": "", "TERM": "dumb"}, False),
        ({"NO_COLOR": "", "FORCE_COLOR": "1", "TERM": "dumb"}, False),
    ],
)
def test_colour_follows_the_environment(
    invoke: Invoke, env: dict[str, str], coloured: bool
) -> None:
    """NO_COLOR and TERM=dumb turn colour off, FORCE_COLOR turns it on, a pipe has none."""
    out = invoke("show", "q-putin-mediation", "-f", "table", env=env).stdout
    assert bool(re.search(r"\x1b\[[0-9;]*\b(3[0-7]|9[0-7])m", out)) is coloured


@pytest.mark.parametrize("picture", ["--svg", "--html"])
@pytest.mark.parametrize(
    ("args", "shown"), [(["timeline"], "Yevlakh"), (["cite", "q-putin-mediation"], "Kremlin")]
)
def test_pictures_of_the_table_view(
    invoke: Invoke, tmp_path: Path, picture: str, args: list[str], shown: str
) -> None:
    """--svg and --html save the table view, and the data still goes to stdout."""
    path = tmp_path / f"picture{picture.replace('--', '.')}"
    result = invoke(*args, "--json", picture, str(path))
    assert result.exit_code == 0
    assert json.loads(result.stdout)
    content = path.read_text(encoding="utf-8")
    assert ("<svg" in content) if picture == "--svg" else ("<html" in content)
    assert shown in content


def test_picture_into_a_missing_folder_is_a_usage_error(invoke: Invoke, tmp_path: Path) -> None:
    """A picture that cannot be saved is one line and exit 2, leaving no partial file."""
    result = invoke("terms", "--svg", str(tmp_path / "no" / "such.svg"))
    assert result.exit_code == 2
    assert "cannot save" in result.stderr
    assert not (tmp_path / "no").exists()


def test_show_marks_the_quote_inside_its_excerpt(invoke: Invoke) -> None:
    """show gives provenance: source, excerpt, note, speaker."""
    (row,) = json.loads(invoke("show", "q-putin-mediation", "--json").stdout)
    assert row["kind"] == "quote"
    assert row["text"] in row["excerpt"]
    coloured = invoke(
        "show", "q-putin-mediation", "-f", "table", env={"NO_COLOR": "", "FORCE_COLOR": "1"}
    ).stdout
    assert "\x1b[1;7m" in coloured


def test_disputes_lists_the_curated_pair(invoke: Invoke) -> None:
    """The Kremlin's mediation claim contradicts Azerbaijan's 'the Russians will not participate'."""
    (row,) = json.loads(invoke("disputes", "--json").stdout)
    assert (row["quote"]["id"], row["relation"], row["other"]["id"]) == (
        "q-putin-mediation",
        "contradicts",
        "q-amirbayov-russians-not-participate",
    )
    (other,) = json.loads(invoke("show", "q-amirbayov-russians-not-participate", "--json").stdout)
    assert other["contradicts"] == ["q-putin-mediation"]


def test_people_counts_involvement(invoke: Invoke) -> None:
    """people counts quotes, terms and events per person."""
    rows = {row["id"]: row for row in json.loads(invoke("people", "--json").stdout)}
    assert (rows["elchin-amirbayov"]["quotes"], rows["azerbaijan"]["terms"]) == (4, 2)


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("plain", "Vladimir Putin (President of Russia), Kremlin press release, 2023-09:"),
        ("bibtex", "@article{src-lemonde-2023-09-21,"),
        ("csl-json", '"type": "article-newspaper"'),
        ("json", '"citation":'),
    ],
)
def test_cite_formats(invoke: Invoke, fmt: str, expected: str) -> None:
    """cite prints a sentence, BibTeX or CSL-JSON."""
    result = invoke("cite", "q-putin-mediation", "--format", fmt)
    assert result.exit_code == 0
    assert expected in result.stdout
    if fmt == "json":
        assert json.loads(result.stdout)[0]["id"] == "q-putin-mediation"
    if fmt == "csl-json":  # one item for every record of the source
        assert json.loads(result.stdout)[0]["id"] == "src-lemonde-2023-09-21"


def test_cite_refuses_people(invoke: Invoke) -> None:
    """Only quotes, terms and events are cited."""
    result = invoke("cite", "vladimir-putin")
    assert result.exit_code == 1
    assert "only quotes, terms and events can be cited" in result.stderr


def test_validate_clean_and_broken(invoke: Invoke, base: dict[str, Any], tmp_path: Path) -> None:
    """validate exits 0 on the built-in base and 1 with every finding on a broken one."""
    assert invoke("validate").exit_code == 0
    base["quotes"][3]["date"] = "2023-02-30"
    base["quotes"][0]["speaker"] = "nobody"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(base, indent=2), encoding="utf-8")
    shutil.copytree(REPO / "sources", tmp_path / "sources")
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert all(re.match(rf"{re.escape(str(path))}:\d+:\d+: q-", line) for line in lines)
    findings = json.loads(invoke("validate", str(path), "--json").stdout)
    assert {finding["field"] for finding in findings} == {"date", "speaker"}


def test_schema_is_generated_from_the_model(invoke: Invoke) -> None:
    """kb schema prints a JSON Schema that requires every collection."""
    schema = json.loads(invoke("schema").stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert "Quote" in schema["$defs"]


def test_version(invoke: Invoke) -> None:
    """--version names the version."""
    assert re.fullmatch(r"kb \d+\.\d+\.\d+\n", invoke("--version").stdout)


COMMANDS = [
    "quote",
    "terms",
    "timeline",
    "search",
    "who-said",
    "people",
    "show",
    "sources",
    "disputes",
    "cite",
    "validate",
    "schema",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_ending_in_examples_and_is_in_the_readme(
    invoke: Invoke, command: str
) -> None:
    """Each command's help ends with two real examples, and the README documents it."""
    result = invoke(command, "--help")
    assert result.exit_code == 0
    tail = result.stdout.strip().splitlines()[-3:]
    assert sum("$ kb " in line for line in tail) == 2
    assert f"kb {command}" in (REPO / "README.md").read_text(encoding="utf-8")


def test_top_level_help_documents_exit_codes(invoke: Invoke) -> None:
    """kb --help lists the exit codes."""
    out = invoke("--help").stdout
    assert "Exit codes: 0 found; 1 nothing found" in " ".join(out.split())


def readme_fields() -> dict[str, list[str]]:
    """The JSON fields the README's output page documents, per command."""
    text = (REPO / "docs" / "output.md").read_text(encoding="utf-8")
    section = text.split("## JSON fields", 1)[1].split("\n## ", 1)[0]
    fields = {}
    for command, names in re.findall(r"^\| `kb ([\w-]+)[^`]*` \| (.+?) \|$", section, re.M):
        fields[command] = re.findall(r"`(\w+)`", names)
    return fields


@pytest.mark.parametrize("args", LISTINGS, ids=[" ".join(a) for a in LISTINGS])
def test_readme_json_fields_match_what_kb_prints(invoke: Invoke, args: list[str]) -> None:
    """The README's list of JSON fields never drifts from kb's output."""
    documented = readme_fields()[args[0]]
    printed = list(json.loads(invoke(*args, "--json").stdout)[0])
    if args[0] == "show":
        printed = printed[:1]
    assert printed == documented


def test_messages_never_pass_control_characters(
    invoke: Invoke, base: dict[str, Any], tmp_path: Path
) -> None:
    """A field name or name with escape sequences is shown, not obeyed, on stderr and in validate's findings."""
    base["events"][0]["\x1b[31mred\r"] = 1
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(base), encoding="utf-8")
    for result in (
        invoke("--facts", str(path), "terms"),
        invoke("validate", str(path)),
        invoke("quote", "\x1b[2J"),
    ):
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", result.stderr + result.stdout)
    assert "␛[31mred␍" in invoke("validate", str(path)).stdout


@pytest.mark.parametrize("fmt", ["table", "plain", "jsonl", "csv", "markdown"])
def test_nothing_found_prints_nothing_but_json(invoke: Invoke, fmt: str) -> None:
    """An empty result is no output at all, except JSON's [] and CSV's header (which a CSV
    reader needs): no empty table."""
    result = invoke("quote", "Pashinyan", "--format", fmt)
    assert result.exit_code == 1
    assert result.stdout == (
        "date,speaker_name,text,medium,place,contradicts,id\n" if fmt == "csv" else ""
    )


def test_search_limit_caps_and_says_how_many_there_are(invoke: Invoke) -> None:
    """--limit keeps the best hits and stderr says how many were left out; 0 shows all."""
    every = invoke("search", "Nagorno-Karabakh", "--limit", "0", "--json")
    assert every.exit_code == 0
    total = len(json.loads(every.stdout))
    assert total > 2
    capped = invoke("search", "Nagorno-Karabakh", "--limit", "2", "--json")
    rows = json.loads(capped.stdout)
    assert [row["id"] for row in rows] == [row["id"] for row in json.loads(every.stdout)[:2]]
    assert f"showing the best 2 of {total} hits" in capped.stderr


@pytest.mark.parametrize("width", [24, 36, 49, 50, 80, 120])
@pytest.mark.parametrize("args", [["quote", "putin"], ["timeline"], ["show", "q-putin-mediation"]])
def test_table_is_never_cropped_at_any_width(invoke: Invoke, args: list[str], width: int) -> None:
    """Too narrow for its columns, a table shows each record field by field; it never loses its right edge."""
    result = invoke(*args, "-f", "table", env={"COLUMNS": str(width)})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines
    assert all(len(line) <= width for line in lines)
