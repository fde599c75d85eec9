"""A caveat never falls off an answer: a record's note reaches the reader in every format, and a
translated source says so wherever it is cited; the translation fields are checked."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Invoke

NOTE = "The machine translation garbles this phrase"
TRANSLATED = "English machine translation of the French original"
LISTING_FORMATS = ("plain", "table", "json", "jsonl", "csv", "markdown")


@pytest.mark.parametrize("form", [*LISTING_FORMATS, "bibtex", "csl-json"])
def test_kb_cite_carries_the_note_in_every_format(invoke: Invoke, form: str) -> None:
    """The record's note and the source's translation are on stdout, whatever the format."""
    result = invoke("cite", "q-aliyev-destroyed", "--format", form)
    assert result.exit_code == 0
    shown = " ".join(result.stdout.split())  # the table wraps it
    assert NOTE in shown
    assert TRANSLATED in shown


def test_the_citation_sentence_says_the_source_is_a_translation(invoke: Invoke) -> None:
    """The sentence names the translation in words, after the source's date."""
    result = invoke("cite", "e-yevlakh-talks", "--format", "plain")
    assert result.exit_code == 0
    assert f"2023-09-21 ({TRANSLATED})." in result.stdout


def test_csl_json_is_one_item_for_every_record_of_a_source(invoke: Invoke) -> None:
    """Two records' items have the source's id and the same fields but their own suffix."""
    items = [
        json.loads(invoke("cite", record, "--format", "csl-json").stdout)[0]
        for record in ("q-aliyev-destroyed", "t-talks-yevlakh")
    ]
    first, second = (
        {key: value for key, value in item.items() if key != "custom"} for item in items
    )
    assert first == second
    assert first["id"] == "src-lemonde-2023-09-21"
    assert first["language"] == "en"
    assert first["note"] == TRANSLATED
    assert "publisher" not in first  # it would repeat container-title
    assert items[0]["custom"]["record"] == "q-aliyev-destroyed"
    assert NOTE in items[0]["custom"]["suffix"]
    assert "Yevlakh" in items[1]["custom"]["suffix"]


def test_an_uncertain_date_keeps_its_uncertainty(
    invoke: Invoke, base: dict[str, Any], write_base: Any
) -> None:
    """A source dated 2023-09? is circa in CSL-JSON and keeps EDTF's ? in BibTeX's date."""
    base["sources"][0]["date"] = "2023-09?"
    facts = write_base(base)
    csl = invoke("--facts", str(facts), "cite", "q-aliyev-destroyed", "--format", "csl-json")
    assert csl.exit_code == 0
    assert json.loads(csl.stdout)[0]["issued"] == {"date-parts": [[2023, 9]], "circa": True}
    bib = invoke("--facts", str(facts), "cite", "q-aliyev-destroyed", "--format", "bibtex")
    assert "  date = {2023-09?},\n" in bib.stdout


def test_bibtex_names_the_languages_and_protects_capitals(invoke: Invoke) -> None:
    """langid, origlanguage, entrysubtype and the note; capitals kept from lowercasing."""
    result = invoke("cite", "q-putin-mediation", "--format", "bibtex")
    assert result.exit_code == 0
    entry = result.stdout.split("@article", 1)[1]
    assert entry.startswith("{src-lemonde-2023-09-21,\n")
    for line in (
        "author = {{Le Monde}}",
        "entrysubtype = {newspaper}",
        "langid = {english}",
        "origlanguage = {french}",
        f"note = {{{TRANSLATED}}}",
        "title = {[{Azerbaijan}'s offensive in {Nagorno}-{Karabakh} and the ceasefire of 20 "
        "{September} 2023]}",
    ):
        assert f"  {line},\n" in entry
    assert re.match(
        r"@comment\{kb cite q-putin-mediation: \\autocite\[\{Vladimir Putin .*\}\]"
        r"\{src-lemonde-2023-09-21\}\}\n",
        result.stdout,
    )


def test_markdown_carries_each_note_as_a_footnote(invoke: Invoke) -> None:
    """Every noted quote gets † and a footnote reference; the footnotes hold the notes."""
    listed = invoke("quote", "aliyev", "--json")
    notes = [row["note"] for row in json.loads(listed.stdout)]
    result = invoke("quote", "aliyev", "--format", "markdown")
    assert result.exit_code == 0
    assert "| Too Destroying†[^2] |" in result.stdout
    footnotes = re.findall(r"^\[\^(\d+)\]: (.*)$", result.stdout, re.M)
    assert footnotes == [(str(number), note) for number, note in enumerate(notes, start=1)]
    assert "† a note explains it: see the numbered notes" in result.stdout


def test_the_page_gives_each_sign_its_own_linked_footnote(invoke: Invoke, tmp_path: Path) -> None:
    """† and ≠ each stand beside their own number, linked both ways, never run together."""
    page = tmp_path / "page.html"
    assert invoke("quote", "Putin", "--html", str(page)).exit_code == 0
    content = page.read_text(encoding="utf-8")
    assert (
        '<span class="sign">†</span><sup><a href="#note-1" id="ref-1" role="doc-noteref">1</a>'
        '</sup>\u202f<span class="sign">≠</span><sup><a href="#note-2" id="ref-2"'
    ) in content
    for number in (1, 2):
        assert f'<li id="note-{number}">' in content
        assert f'<a href="#ref-{number}" role="doc-backlink"' in content


def test_the_built_in_source_is_a_french_machine_translation(invoke: Invoke) -> None:
    """kb sources --json shows the translation fields."""
    result = invoke("sources", "--json")
    assert result.exit_code == 0
    (source,) = json.loads(result.stdout)
    assert (source["language"], source["translated_from"], source["translation"]) == (
        "en",
        "fr",
        "machine",
    )


def test_a_base_without_the_translation_fields_still_loads(
    invoke: Invoke, base: dict[str, Any], write_base: Any
) -> None:
    """A source in its original language needs neither field, and cites with no translation."""
    del base["sources"][0]["translated_from"], base["sources"][0]["translation"]
    facts = write_base(base)
    assert invoke("validate", str(facts)).exit_code == 0
    result = invoke("--facts", str(facts), "cite", "q-aliyev-destroyed", "--format", "bibtex")
    assert result.exit_code == 0
    assert "origlanguage" not in result.stdout
    assert TRANSLATED not in result.stdout


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"language": "en_US"}, "language", "expected a BCP 47 language tag, e.g. en, fr or pt-BR"),
        ({"translated_from": "fr!"}, "translated_from", "expected a BCP 47 language tag"),
        ({"translation": "robot"}, "translation", "must be one of 'machine', 'person'"),
        ({"translated_from": None}, "translation", "a translation needs translated_from"),
        ({"translated_from": "EN"}, "translated_from", "must differ from the text's own"),
    ],
)
def test_kb_validate_checks_the_translation_fields(
    invoke: Invoke,
    base: dict[str, Any],
    write_base: Any,
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    """A bad tag, an unknown kind, a translation without its original: each named, exit 1,
    and a lookup refuses the base."""
    source = base["sources"][0]
    for key, value in change.items():
        if value is None:
            del source[key]
        else:
            source[key] = value
    facts = write_base(base)
    result = invoke("validate", str(facts), "--json")
    assert result.exit_code == 1
    first = json.loads(result.stdout)[0]
    assert first["path"] == ["sources", 0, field]
    assert message in first["message"]
    assert invoke("--facts", str(facts), "terms").exit_code == 3


def test_the_schema_states_the_translation_fields(invoke: Invoke) -> None:
    """kb schema gives the language tag's pattern and the translation kinds."""
    result = invoke("schema")
    assert result.exit_code == 0
    properties = json.loads(result.stdout)["$defs"]["Source"]["properties"]
    assert properties["language"]["pattern"].startswith("^(?:[A-Za-z]{2,8}")
    assert properties["translation"]["anyOf"][0]["enum"] == ["machine", "person"]
    assert "translated_from" not in json.loads(result.stdout)["$defs"]["Source"]["required"]


def test_kb_add_source_records_a_translation(invoke: Invoke, tmp_path: Path) -> None:
    """--translated-from and --translation reach the record; a kind without its original is
    refused, nothing written."""
    facts = tmp_path / "facts.json"
    assert invoke("init", str(facts)).exit_code == 0
    text = tmp_path / "a.txt"
    text.write_text("Le texte.", encoding="utf-8")
    common = ["--facts", str(facts), "add", "source", "--title", "T", "--publisher", "Le Monde"]
    common += ["--date", "2023-09-21", "--text", str(text)]
    refused = invoke(*common, "--translation", "machine")
    assert refused.exit_code == 2
    assert "translated_from" in refused.output
    added = invoke(*common, "--translated-from", "fr", "--translation", "machine", "--json")
    assert added.exit_code == 0, added.output
    (source,) = json.loads(facts.read_text(encoding="utf-8"))["sources"]
    assert (source["translated_from"], source["translation"]) == ("fr", "machine")
