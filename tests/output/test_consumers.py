"""kb's output fed to the programs that read it: pybtex, bibtexparser and biber read the BibTeX,
pandoc and citeproc-py the CSL-JSON, markdown-it-py the Markdown, csv and pandas the CSV.

A test needing a program kb does not install (pandoc, biber) skips, saying which.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Invoke

CITABLE = ("q-aliyev-destroyed", "q-putin-mediation", "t-talks-yevlakh", "e-yevlakh-talks")
HOSTILE = "<script>alert(1)</script> <b>bold</b> <Yevlakh> *stars* | pipe `code` &amp; [^9] $x$"


def needs(program: str) -> None:
    if shutil.which(program) is None:
        pytest.skip(f"{program} is not installed (apt-get install {program})")


def write_hostile(base: dict[str, Any], write_base: Any) -> Path:
    """The built-in base with markup, a lone brace and TeX's specials in a quote, its note
    and the source's title."""
    quote = next(q for q in base["quotes"] if q["id"] == "q-aliyev-destroyed")
    quote["note"] = "A lone { brace, a lone } brace, 100% & $5 ~ ^ # _ \\ and " + HOSTILE
    base["sources"][0]["title"] = "Azerbaijan's {offensive and a lone } 50% & co_op"
    base["sources"][0]["url"] = "https://example.org/a_b/c%20d?x=1&y=~z#top"
    path: Path = write_base(base)
    return path


def bibtex_of(invoke: Invoke, *records: str, facts: Path | None = None) -> str:
    options = ["--facts", str(facts)] if facts else []
    texts = []
    for record in records:
        result = invoke(*options, "cite", record, "--format", "bibtex")
        assert result.exit_code == 0, result.output
        texts.append(result.stdout)
    return "".join(texts)


@pytest.mark.parametrize("record", CITABLE)
def test_pybtex_formats_the_entry_of_every_kind(invoke: Invoke, record: str) -> None:
    """pybtex parses the .bib and its plain style formats the entry, translation note included."""
    pybtex_database = pytest.importorskip("pybtex.database")
    from pybtex.plugin import find_plugin

    data = pybtex_database.parse_string(bibtex_of(invoke, record), "bibtex")
    assert list(data.entries) == ["src-lemonde-2023-09-21"]
    style = find_plugin("pybtex.style.formatting", "plain")()
    (entry,) = style.format_bibliography(data).entries
    text = entry.text.render_as("text")
    assert "English machine translation of the French original" in text
    assert text.count("Le Monde") == 2  # the newspaper as author, then as the journal


def test_pybtex_and_bibtexparser_read_lone_braces_and_specials(
    invoke: Invoke, base: dict[str, Any], write_base: Any
) -> None:
    """A lone { or } and TeX's specials in a note and a title leave the file balanced."""
    pytest.importorskip("pybtex")
    bibtexparser = pytest.importorskip("bibtexparser")
    from pybtex.database import parse_string

    facts = write_hostile(base, write_base)
    text = bibtex_of(invoke, "q-aliyev-destroyed", facts=facts)
    assert text.count("{") == text.count("}")
    data = parse_string(text, "bibtex")
    fields = data.entries["src-lemonde-2023-09-21"].fields
    assert fields["url"] == "https://example.org/a_b/c%20d?x=1&y=~z#top"
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert [entry.key for entry in library.entries] == ["src-lemonde-2023-09-21"]
    assert library.entries[0]["url"] == "https://example.org/a_b/c%20d?x=1&y=~z#top"
    assert r"50\% \& co\_op" in library.entries[0]["title"]
    (comment,) = library.comments
    assert r"A lone \textbraceleft{} brace, a lone \textbraceright{} brace" in comment.comment


def test_bibtexparser_reads_two_records_of_one_source_as_one_key(invoke: Invoke) -> None:
    """Two records of one source make entries with one key and the same fields."""
    bibtexparser = pytest.importorskip("bibtexparser")
    first = bibtexparser.parse_string(bibtex_of(invoke, "q-aliyev-destroyed"))
    second = bibtexparser.parse_string(bibtex_of(invoke, "e-yevlakh-talks"))
    assert first.entries[0].key == second.entries[0].key == "src-lemonde-2023-09-21"
    assert first.entries[0].fields_dict.keys() == second.entries[0].fields_dict.keys()
    assert [field.value for field in first.entries[0].fields] == [
        field.value for field in second.entries[0].fields
    ]
    assert "Too Destroying" in first.comments[0].comment
    assert "Yevlakh" in second.comments[0].comment


def test_biber_validates_the_entry(
    invoke: Invoke, base: dict[str, Any], write_base: Any, tmp_path: Path
) -> None:
    """biber's data-model check finds nothing to warn about, hostile text included."""
    needs("biber")
    facts = write_hostile(base, write_base)
    bib = tmp_path / "refs.bib"
    bib.write_text(bibtex_of(invoke, "q-aliyev-destroyed", facts=facts), encoding="utf-8")
    output = ["--output-file", str(tmp_path / "out.bib")]
    result = subprocess.run(
        ["biber", "--tool", "--validate-datamodel", *output, str(bib)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARN" not in result.stdout and "ERROR" not in result.stdout, result.stdout


def csl_items(invoke: Invoke, *records: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for record in records:
        result = invoke("cite", record, "--format", "csl-json")
        assert result.exit_code == 0, result.output
        items += json.loads(result.stdout)
    return items


def test_pandoc_lists_one_entry_for_two_records_of_one_source(
    invoke: Invoke, tmp_path: Path
) -> None:
    """pandoc --citeproc (Chicago author-date) cites two records as one reference, no 2023a/b."""
    needs("pandoc")
    items = csl_items(invoke, "q-aliyev-destroyed", "q-putin-mediation")
    (tmp_path / "refs.json").write_text(json.dumps(items), encoding="utf-8")
    cites = " ".join(f"[@{item['id']}, {item['custom']['suffix'][:40]}]" for item in items)
    (tmp_path / "doc.md").write_text(f"Said {cites}.\n\n# References\n", encoding="utf-8")
    result = subprocess.run(
        ["pandoc", "--citeproc", "--bibliography", "refs.json", "-t", "plain", "doc.md"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    references = result.stdout.split("References", 1)[1]
    assert references.count("Le Monde. 2023.") == 1
    assert "2023a" not in result.stdout and "2023b" not in result.stdout
    assert "Ilham Aliyev" in result.stdout and "Vladimir Putin" in result.stdout


def test_citeproc_py_renders_one_bibliography_entry(invoke: Invoke) -> None:
    """citeproc-py, with the style it ships, makes one entry of two records' items."""
    citeproc = pytest.importorskip("citeproc")
    from citeproc.source.json import CiteProcJSON

    items = csl_items(invoke, "q-aliyev-destroyed", "t-talks-yevlakh")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py does not know CSL 1.0.2's custom field
        source = CiteProcJSON(list({item["id"]: item for item in items}.values()))
    style = citeproc.CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = citeproc.CitationStylesBibliography(style, source, citeproc.formatter.plain)
    for item in items:
        citation = citeproc.Citation([citeproc.CitationItem(item["id"])])
        bibliography.register(citation)
    entries = [str(entry) for entry in bibliography.bibliography()]
    assert len(entries) == 1
    assert "Le Monde" in entries[0]


def markdown_renderer() -> Any:
    markdown_it = pytest.importorskip("markdown_it")
    footnote = pytest.importorskip("mdit_py_plugins.footnote")
    return (
        markdown_it.MarkdownIt("commonmark", {"html": False})
        .enable("table")
        .use(footnote.footnote_plugin)
    )


def test_markdown_it_renders_the_footnotes_of_noted_quotes(invoke: Invoke) -> None:
    """Each noted quote's sign links to a footnote holding its note."""
    md = markdown_renderer()
    result = invoke("quote", "aliyev", "--format", "markdown")
    assert result.exit_code == 0
    rendered = md.render(result.stdout)
    assert 'Too Destroying†<sup class="footnote-ref"><a href="#fn2"' in rendered
    assert rendered.count('class="footnote-item"') == 3
    assert "The machine translation garbles this phrase" in rendered


@pytest.mark.parametrize("html", [False, True])
def test_markdown_it_shows_hostile_text_literally(
    invoke: Invoke, base: dict[str, Any], write_base: Any, html: bool
) -> None:
    """Markup, HTML, pipes and backticks in a quote and its note render as text, with or
    without the renderer's raw HTML allowed."""
    md = markdown_renderer()
    md.options["html"] = html
    quote = next(q for q in base["quotes"] if q["id"] == "q-aliyev-destroyed")
    quote["text"] = quote["excerpt"] = HOSTILE
    quote["note"] = "- " + HOSTILE
    facts = write_base(base)
    result = invoke("--facts", str(facts), "quote", "aliyev", "--format", "markdown")
    assert result.exit_code == 0
    rendered = md.render(result.stdout)
    for tag in ("<script", "<b>", "<yevlakh", "<em>", "<code>", "<ul>", "<span", "<sup>x"):
        assert tag not in rendered.lower()
    shown = (
        "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt; &lt;Yevlakh&gt; "
        "*stars* | pipe `code` &amp;amp; [^9] $x$"
    )
    assert rendered.count(shown) == 2  # the cell and the footnote
    assert rendered.count("<td>") == 5 * (rendered.count("<tr>") - 1)  # no cell split by a |


def test_markdown_leaves_out_columns_empty_in_every_row(invoke: Invoke) -> None:
    """Aliyev's quotes have no place and contradict nothing: no Place or Contradicts column."""
    result = invoke("quote", "aliyev", "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "| Date | Speaker | Quote | Medium | ID |"


def test_an_empty_csv_has_its_header_for_csv_and_pandas(invoke: Invoke) -> None:
    """A lookup finding nothing still writes the header, which csv and pandas read."""
    result = invoke("timeline", "--since", "2030", "--format", "csv")
    assert result.exit_code == 1
    header = next(csv.reader(io.StringIO(result.stdout)))
    assert header == ["date", "what", "where", "actors", "id"]
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(io.StringIO(result.stdout))
    assert list(frame.columns) == header and frame.empty


def test_csv_keeps_line_breaks_and_tabs(
    invoke: Invoke, base: dict[str, Any], write_base: Any
) -> None:
    """A note's line break and tab come back from the CSV as they are; ESC is still shown."""
    quote = next(q for q in base["quotes"] if q["id"] == "q-aliyev-destroyed")
    quote["note"] = "line one\nline\ttwo \x1b[31m"
    facts = write_base(base)
    result = invoke("--facts", str(facts), "quote", "aliyev", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert rows[1]["note"] == "line one\nline\ttwo ␛[31m"


FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "-12.5"]


@pytest.mark.parametrize("guard", ["", "1"])
def test_csv_guards_formulas_only_when_asked(
    invoke: Invoke, base: dict[str, Any], write_base: Any, guard: str
) -> None:
    """KB_CSV_FOR_SPREADSHEETS=1 makes a cell a spreadsheet would run start with '; without
    it the data is exact; a number is left alone either way."""
    quotes = base["quotes"][: len(FORMULAS)]
    for quote, text in zip(quotes, FORMULAS, strict=True):
        quote["note"] = text
    facts = write_base(base)
    env = {"KB_CSV_FOR_SPREADSHEETS": guard}
    for quote, text in zip(quotes, FORMULAS, strict=True):
        result = invoke("--facts", str(facts), "show", quote["id"], "--format", "csv", env=env)
        assert result.exit_code == 0
        (row,) = csv.DictReader(io.StringIO(result.stdout, newline=""))
        guarded = guard and text != "-12.5"
        assert row["note"] == ("'" + text if guarded else text)
