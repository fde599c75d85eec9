"""kb check through the command line: formats, fields, exit codes, refused input, stdin, the
installed kb, and the table at a terminal's widths."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from karabakh_cli.cli.app import app
from karabakh_cli.cli.exits import ExitCode
from tests.conftest import KB, REPO, STABLE_ENV, Invoke, run_captured
from tests.installed.conftest import run_on_a_terminal

# One quotation of each verdict: verbatim and right, altered, credited to someone else, none.
ARTICLE = """\
# Talks

Mr. Amirbayov said the talks would be held “in small groups”. Ilham Aliyev said
Azerbaijan had “restored our sovereignty”.

Vladimir Putin said: “Their protection will probably be provided by the Russians.” He added
that “the corridor opens in spring”.
"""
RIGHT = REPO / "tests" / "data" / "check" / "right.md"
FIELDS = ["text", "line", "column", "credited", "match", "quote", "speaker", "attribution"]
FIELDS += ["changes", "score"]


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.md"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def documented_fields() -> list[str]:
    """kb check's JSON fields as docs/output.md lists them."""
    text = (REPO / "docs" / "output.md").read_text(encoding="utf-8")
    section = text.split("## JSON fields", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"^\| `kb check` \| (.+?) \|$", section, re.M)
    assert found is not None
    return re.findall(r"`(\w+)`", found.group(1))


def test_json_has_exactly_the_documented_fields(invoke: Invoke, article: Path) -> None:
    """Every object has the fields docs/output.md lists, in order, and no other."""
    result = invoke("check", str(article), "--json")
    assert result.exit_code == ExitCode.MISQUOTED
    rows = json.loads(result.stdout)
    assert documented_fields() == FIELDS
    assert all(list(row) == FIELDS for row in rows)


def test_json_values_of_each_verdict(invoke: Invoke, article: Path) -> None:
    """verbatim/right, altered with its diff, wrong naming both, none with no quote."""
    rows = json.loads(invoke("check", str(article), "--json").stdout)
    summary = [(row["match"], row["attribution"], row["quote"], row["speaker"]) for row in rows]
    assert summary == [
        ("verbatim", "right", "q-amirbayov-small-groups", "elchin-amirbayov"),
        ("altered", "right", "q-aliyev-sovereignty", "ilham-aliyev"),
        ("verbatim", "wrong", "q-amirbayov-russians-not-participate", "elchin-amirbayov"),
        ("none", None, None, None),
    ]
    assert rows[1]["changes"] == "restored [-its-] [+our+] sovereignty"
    assert rows[2]["credited"] == {
        "written": "Vladimir Putin",
        "how": "verb",
        "person": "vladimir-putin",
        "people": ["vladimir-putin"],
    }
    assert rows[3]["credited"]["how"] == "pronoun"
    assert (rows[0]["line"], rows[0]["column"]) == (3, 44)


def test_stderr_names_the_nearest_of_none_and_sums_up(invoke: Invoke, article: Path) -> None:
    """A quotation the base lacks is said to match none, with its line; a summary follows."""
    result = invoke("check", str(article), "--format", "plain")
    assert result.exit_code == ExitCode.MISQUOTED
    assert "line 7, column 6: “the corridor opens in spring” matches no quote" in result.stderr
    assert "4 quotation(s): 2 verbatim, 1 altered, 1 unknown to the base" in result.stderr


def test_plain_columns_in_order(invoke: Invoke, article: Path) -> None:
    """Plain: Line, Quotation, Match, Credit, Base credits, Text credits, Changes, Quote."""
    lines = invoke("check", str(article), "--format", "plain").stdout.splitlines()
    assert lines[2].split("\t") == [
        "6",
        "Their protection will probably be provided by the Russians.",
        "verbatim",
        "wrong",
        "Elchin Amirbayov",
        "Vladimir Putin",
        "",
        "q-amirbayov-russians-not-participate",
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "markdown", "table"])
def test_every_listing_format(invoke: Invoke, article: Path, fmt: str) -> None:
    """jsonl, csv, markdown and table each show every quotation."""
    result = invoke("check", str(article), "--format", fmt)
    assert result.exit_code == ExitCode.MISQUOTED
    if fmt == "jsonl":
        assert [json.loads(line)["match"] for line in result.stdout.splitlines()] == [
            "verbatim",
            "altered",
            "verbatim",
            "none",
        ]
    elif fmt == "csv":
        header = result.stdout.splitlines()[0]
        assert header.startswith("text,line,column,credited_written,credited_how")
    else:
        assert "q-aliyev-sovereignty" in result.stdout
        # Markdown escapes the brackets so that every renderer shows them literally.
        assert "[-its-]" in result.stdout.replace("\\[", "[").replace("\\]", "]")


def test_every_quotation_right_exits_0(invoke: Invoke) -> None:
    """0 when every quotation is verbatim and credited to its speaker."""
    result = invoke("check", str(RIGHT), "--format", "plain")
    assert result.exit_code == ExitCode.FOUND
    assert len(result.stdout.splitlines()) == 2


@pytest.mark.parametrize("text", ["", "No quotation here; Azerbaijan’s army moved.\n"])
def test_no_quotation_exits_1(invoke: Invoke, tmp_path: Path, text: str) -> None:
    """1, and [] in JSON, for an empty text or one without a quotation."""
    path = tmp_path / "none.md"
    path.write_text(text, encoding="utf-8")
    result = invoke("check", str(path), "--json")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert json.loads(result.stdout) == []


def test_an_unbalanced_mark_is_warned_with_its_line(invoke: Invoke, tmp_path: Path) -> None:
    """A mark that pairs with nothing is a warning on stderr with its line and column."""
    path = tmp_path / "open.md"
    path.write_text("Title\n\nAliyev said “restored its sovereignty and left.\n", encoding="utf-8")
    result = invoke("check", str(path), "--format", "plain")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "kb: warning: line 3, column 13: “ never closed" in result.stderr


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04\x00\x00binary", "binary input (a NUL byte at byte offset 4); kb checks text"),
        (b"caf\xe9 \xe2\x80\x9cx\xe2\x80\x9d", "not UTF-8 (byte 0xe9 at byte offset 3)"),
    ],
)
def test_binary_and_non_utf8_are_refused_in_one_line(
    invoke: Invoke, tmp_path: Path, data: bytes, message: str
) -> None:
    """Exit 2 with one line on stderr naming the file and the byte offset; nothing on stdout."""
    path = tmp_path / "input.bin"
    path.write_bytes(data)
    result = invoke("check", str(path))
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    assert result.stderr == f"kb: {path}: {message}\n"


def test_a_missing_file_is_a_usage_error(invoke: Invoke, tmp_path: Path) -> None:
    """A file that cannot be read is named, exit 2."""
    result = invoke("check", str(tmp_path / "gone.md"))
    assert result.exit_code == ExitCode.USAGE
    assert "cannot read" in result.stderr and "gone.md" in result.stderr


@pytest.mark.parametrize("args", [["check", "-"], ["check"]])
def test_standard_input(args: list[str]) -> None:
    """- or no FILE (stdin not a terminal) reads standard input."""
    result = CliRunner().invoke(app, [*args, "--json"], input=ARTICLE.encode(), env=STABLE_ENV)
    assert result.exit_code == ExitCode.MISQUOTED
    assert len(json.loads(result.stdout)) == 4


def test_binary_standard_input_is_refused() -> None:
    """Binary on stdin is refused as from a file, naming standard input."""
    result = CliRunner().invoke(app, ["check", "-"], input=b"\x00\x01", env=STABLE_ENV)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == (
        "kb: standard input: binary input (a NUL byte at byte offset 0); kb checks text\n"
    )


def test_the_installed_kb_checks_a_file_from_elsewhere(tmp_path: Path, article: Path) -> None:
    """The installed kb, run from a folder outside the repository, checks a text and exits 4."""
    env = {**STABLE_ENV, "PATH": str(KB.parent)}
    result = run_captured(
        [str(KB), "check", "article.md", "--format", "plain"], cwd=tmp_path, env=env
    )
    assert result.returncode == ExitCode.MISQUOTED, result.stderr
    assert "q-amirbayov-russians-not-participate" in result.stdout


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_the_table_fits_the_terminal_with_ids_whole(
    tmp_path: Path, article: Path, width: int
) -> None:
    """On a terminal of each width no line is wider, and each quote id stands whole on a line."""
    code, styled = run_on_a_terminal(["check", str(article)], tmp_path, width)
    assert code == ExitCode.MISQUOTED
    shown = re.sub(r"\x1b\[[0-9;]*m", "", styled)  # bold headers, dim ids: no width
    lines = shown.splitlines()
    assert max(len(line) for line in lines) <= width
    for quote_id in (
        "q-amirbayov-small-groups",
        "q-aliyev-sovereignty",
        "q-amirbayov-russians-not-participate",
    ):
        assert re.search(rf"^ +{quote_id}(?![\w-])", shown, re.M), shown
    assert "[-its-]" in shown


@pytest.mark.parametrize("text", ["", "No quotation marks here at all.\n"])
def test_a_text_without_quotations_says_so_and_exits_1(text: str) -> None:
    """Nothing to check is said on stderr, not left to the exit code alone."""
    result = CliRunner().invoke(app, ["check", "-"], input=text.encode(), env=STABLE_ENV)
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "the text holds no quotation" in result.stderr
