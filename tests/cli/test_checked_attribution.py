"""kb add quote and kb validate check whom the source credits, through the command line."""

from __future__ import annotations

import json
from pathlib import Path

from karabakh_cli.cli.exits import ExitCode
from tests.conftest import SOURCE_ID, kb, make_base


def test_add_quote_refuses_words_the_source_credits_to_someone_else(tmp_path: Path) -> None:
    """Ivana Testova's words put in Anton Kerbel's mouth are refused, naming her; nothing is written."""
    facts = make_base(tmp_path)
    before = facts.read_bytes()
    code, _, stderr = kb(
        facts, "add", "quote", "--speaker", "Kerbel", "--text", "We have restored our sovereignty",
        "--source", SOURCE_ID, "--date", "2023-09-21",
    )  # fmt: skip
    assert code == ExitCode.USAGE
    assert "credits Ivana Testova with these words, not Anton Kerbel" in stderr
    assert "nothing written" in stderr
    assert facts.read_bytes() == before


def test_validate_reports_a_misattribution_with_its_line_and_column(tmp_path: Path) -> None:
    """A speaker changed by hand is an error kb validate places at the quote's speaker."""
    facts = make_base(tmp_path)
    add_testova_s_quote(facts)
    base = json.loads(facts.read_text(encoding="utf-8"))
    base["quotes"][0]["speaker"] = "anton-kerbel"
    facts.write_text(json.dumps(base, indent=2, ensure_ascii=False), encoding="utf-8")
    code, stdout, _ = kb(facts, "validate", str(facts))
    assert code == ExitCode.NOT_FOUND
    line = next(line for line in stdout.splitlines() if ".speaker:" in line)
    path, row, column = line.split(":")[:3]
    assert path == str(facts) and row.isdigit() and column.isdigit()
    assert (
        facts.read_text(encoding="utf-8").splitlines()[int(row) - 1].strip().startswith('"speaker"')
    )
    assert "credits Ivana Testova with these words, not Anton Kerbel" in line


def test_an_inferred_attribution_is_written_only_with_a_note(tmp_path: Path) -> None:
    """--inferred needs --note: refused without, written with, and kb validate is clean."""
    facts = make_base(tmp_path)
    words = ("--text", "Nothing is settled yet", "--source", SOURCE_ID, "--date", "2023-09-21")
    code, _, stderr = kb(facts, "add", "quote", "--speaker", "Kerbel", *words, "--inferred")
    assert code == ExitCode.USAGE and "--note" in stderr
    code, _, stderr = kb(
        facts, "add", "quote", "--speaker", "Kerbel", *words, "--inferred",
        "--note", "Mr. Kerbel, named just before", "--json",
    )  # fmt: skip
    assert code == 0, stderr
    assert json.loads(facts.read_text(encoding="utf-8"))["quotes"][0]["attribution"] == "inferred"
    assert kb(facts, "validate", str(facts))[0] == 0


def test_a_quote_of_inferred_attribution_is_marked_and_explained_in_every_format(
    tmp_path: Path,
) -> None:
    """‡ after the quote and its meaning under the table and in Markdown; JSON says inferred."""
    facts = make_base(tmp_path)
    code, _, stderr = kb(
        facts, "add", "quote", "--speaker", "Kerbel", "--text", "Nothing is settled yet",
        "--source", SOURCE_ID, "--date", "2023-09-21", "--inferred", "--note", "Named before",
    )  # fmt: skip
    assert code == 0, stderr
    meaning = "who spoke is the curator's reading, not the source's words; its note says why"
    for fmt in ("table", "markdown"):
        code, stdout, _ = kb(facts, "quote", "Kerbel", "--format", fmt)
        assert code == 0
        assert "Nothing is settled yet†" in stdout and "‡" in stdout.split(meaning)[0]
        assert f"‡ {meaning}" in stdout
    code, stdout, _ = kb(facts, "quote", "Kerbel", "--json")
    assert json.loads(stdout)[0]["attribution"] == "inferred"


def test_a_stated_attribution_gets_no_sign(tmp_path: Path) -> None:
    """A quote its excerpt credits shows no ‡ and no explanation."""
    facts = make_base(tmp_path)
    add_testova_s_quote(facts)
    code, stdout, _ = kb(facts, "quote", "Testova", "--format", "table")
    assert code == 0 and "‡" not in stdout


def add_testova_s_quote(facts: Path) -> None:
    """Add the quote the article credits to Ivana Testova, as she said it."""
    code, _, stderr = kb(
        facts, "add", "quote", "--speaker", "Testova", "--text", "We have restored our sovereignty",
        "--source", SOURCE_ID, "--date", "2023-09-21",
    )  # fmt: skip
    assert code == 0, stderr
