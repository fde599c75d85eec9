"""The table view read as a person reads it, at 60 to 200 columns, and the pictures of it."""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from karabakh_cli.output import layout, render, views
from tests.conftest import Invoke

WIDTHS = [60, 80, 120, 200]
LISTINGS = [
    ["quote", "Putin"],
    ["quote", "aliyev"],
    ["terms"],
    ["timeline"],
    ["people"],
    ["sources"],
    ["search", "peacekeepers"],
    ["who-said", "the Russians will not take part in this bilateral dialogue"],
    ["disputes"],
    ["show", "q-amirbayov-russians-not-participate"],
    ["cite", "q-putin-mediation"],
]
LISTING_IDS = [" ".join(args) for args in LISTINGS]
# The fields holding a record's running text, whose words must never be split.
TEXT_FIELDS = ("text", "what", "snippet", "role", "title", "citation")


def table(invoke: Invoke, *args: str, width: int) -> str:
    result = invoke(*args, "-f", "table", env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def records(invoke: Invoke, *args: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(invoke(*args, "--json").stdout)
    return rows


def record_ids(row: dict[str, Any]) -> list[str]:
    """The ids a row is about: its own, or both quotes' of a dispute."""
    if "id" in row:
        return [row["id"]]
    return [row[side]["id"] for side in ("quote", "other") if isinstance(row.get(side), dict)]


def words(text: str) -> set[str]:
    return set(text.split())


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("args", LISTINGS, ids=LISTING_IDS)
def test_no_line_is_wider_than_the_terminal(invoke: Invoke, args: list[str], width: int) -> None:
    """Every line of the table view fits the terminal's width."""
    out = table(invoke, *args, width=width)
    assert max(len(line) for line in out.splitlines()) <= width


@pytest.mark.parametrize("width", [*WIDTHS, 150, 199])
@pytest.mark.parametrize("args", LISTINGS, ids=LISTING_IDS)
def test_signs_never_stand_alone_on_a_line(invoke: Invoke, args: list[str], width: int) -> None:
    """A record's signs stay on the line of its text's last word, never in a cell alone."""
    markers = (views.NOTE_MARKER, views.CONTRADICTED_MARKER)
    alone = re.compile(rf"(^|\s)[{''.join(marker.sign for marker in markers)}]+(\s|$)")
    legend = tuple(f"{marker.sign} {marker.meaning}" for marker in markers)
    for line in table(invoke, *args, width=width).splitlines():
        if not line.strip().startswith(legend):
            assert not alone.search(line), line


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("args", LISTINGS, ids=LISTING_IDS)
def test_ids_and_dates_are_never_split(invoke: Invoke, args: list[str], width: int) -> None:
    """Every record's id and date stands whole on one line, ready to double-click."""
    shown = words(table(invoke, *args, width=width))
    for row in records(invoke, *args):
        for record_id in record_ids(row):
            assert record_id in shown
        if row.get("date") and args[0] != "cite":
            assert row["date"] in shown


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("args", LISTINGS, ids=LISTING_IDS)
def test_no_word_of_the_text_is_split(invoke: Invoke, args: list[str], width: int) -> None:
    """Quotes, events, terms and snippets wrap between words, never inside one."""
    shown = table(invoke, *args, width=width)
    tokens = words(shown)
    for row in records(invoke, *args):
        # A search hit shows its snippet; its full ``text`` is for scripts.
        shown_fields = [f for f in TEXT_FIELDS if not (f == "text" and "snippet" in row)]
        for field in shown_fields:
            value = row.get(field)
            if isinstance(value, str):
                for word in value.split():
                    # A word may end at the sign after it or carry the citation's punctuation.
                    assert word in tokens or word in shown.replace("\n", " "), (field, word)


@pytest.mark.parametrize(
    ("args", "absent"),
    [
        (["quote", "Putin"], ["Place", "Speaker", "Contradicts", "Vladimir Putin  "]),
        (["terms"], ["Source", "Contradicts"]),
        (["quote", "aliyev"], ["Place", "Speaker"]),
    ],
)
def test_empty_and_stated_columns_are_not_drawn(
    invoke: Invoke, args: list[str], absent: list[str]
) -> None:
    """A column empty in every row, or stated by the title or caption, is left out."""
    out = table(invoke, *args, width=120)
    header = out.splitlines()[1]
    for name in absent:
        assert name not in header


def test_a_column_shown_only_in_some_rows_stays(invoke: Invoke) -> None:
    """Where some events have a place and some do not, the Where column is drawn."""
    out = table(invoke, "timeline", width=120)
    assert "Where" in out.splitlines()[1]


@pytest.mark.parametrize("width", [80, 120, 200])
def test_the_timeline_is_short_enough_to_read(invoke: Invoke, width: int) -> None:
    """Nine events take well under the old 100 lines at 80 columns and fewer when wider."""
    lines = table(invoke, "timeline", width=width).splitlines()
    assert len(lines) < 70
    assert lines[1].split()[:2] == ["Date", "What"]


def test_the_quote_gets_the_room_the_short_fields_leave(invoke: Invoke) -> None:
    """At 80 columns Putin's quote takes two lines, not twelve, and its id the next."""
    out = table(invoke, "quote", "Putin", width=80)
    lines = out.splitlines()
    first = next(index for index, line in enumerate(lines) if "These talks" in line)
    id_line = next(index for index, line in enumerate(lines) if line.strip() == "q-putin-mediation")
    assert id_line - first <= 2


@pytest.mark.parametrize("width", [120, 200])
def test_wrapping_columns_share_the_room_by_need(invoke: Invoke, width: int) -> None:
    """No wrapping column of kb people takes more lines than the longest text needs there:
    aliases are not squeezed to a word a line while the role has room."""
    lines = table(invoke, "people", width=width).splitlines()
    first = next(index for index, line in enumerate(lines) if "Vladimir Putin " in line)
    last = next(index for index in range(first, len(lines)) if not lines[index].strip())
    assert "Vladimir Vladimirovich" in lines[first]
    assert last - first <= (2 if width == 120 else 1) + 1


def test_room_goes_to_each_column_in_proportion_to_its_text() -> None:
    """Two wrapping columns of 90 and 45 cells on one line get about 2:1 of 66 cells."""
    shown = layout.View(
        "t",
        ["A", "B"],
        [views.Shape.TEXT, views.Shape.TEXT],
        [[layout.Cell("a " * 45), layout.Cell("b " * 22 + "b")]],
        [],
        [],
        [],
        False,
        [False, False],
    )
    sizes = layout.widths(shown, 66 + layout.GAP, len)
    assert sizes is not None and sum(sizes) == 66
    assert abs(sizes[0] - 2 * sizes[1]) <= 3


@pytest.mark.parametrize("width", [120, 200])
def test_a_name_is_not_wrapped_where_the_rows_would_be_no_lower(invoke: Invoke, width: int) -> None:
    """kb disputes keeps each speaker's name on one line: the quotes set the rows' height."""
    out = table(invoke, "disputes", width=width)
    assert "Vladimir Putin" in out and "Elchin Amirbayov" in out


def test_a_short_column_stands_on_one_line_beside_a_long_text() -> None:
    """A 14-cell name beside a text that wraps to two lines anyway gets its 14 cells."""
    shown = layout.View(
        "t",
        ["Name", "Text"],
        [views.Shape.TEXT, views.Shape.MAIN],
        [[layout.Cell("Vladimir Putin"), layout.Cell(" ".join(letter * 20 for letter in "abc"))]],
        [],
        [],
        [],
        False,
        [False, False],
    )
    assert layout.widths(shown, 60, len) == [14, 60 - 14 - layout.GAP]


@pytest.mark.parametrize("width", [40, 60, 80])
def test_field_by_field_puts_the_id_under_the_name(invoke: Invoke, width: int) -> None:
    """A person's id stands under their name, the record's main field, not under the role."""
    out = table(invoke, "people", width=width)
    assert re.search(r"^Name +Vladimir Putin *\n +vladimir-putin *$", out, re.M)


def test_too_narrow_a_table_shows_records_field_by_field(invoke: Invoke) -> None:
    """Where the main text would get too few columns, each record is field/value pairs."""
    out = table(invoke, "timeline", width=60)
    assert re.search(r"^Date +1991 *$", out, re.M)
    assert re.search(r"^What +Nagorno-Karabakh's Armenians", out, re.M)


@pytest.mark.parametrize("width", [40, 60, 80])
def test_field_by_field_never_empties_a_value_column(invoke: Invoke, width: int) -> None:
    """Field by field, values keep at least half the width and skip empty fields."""
    out = table(invoke, "show", "q-putin-mediation", width=width)
    assert not re.search(r"^Place\b", out, re.M)
    assert re.search(r"^Text +These talks", out, re.M)


@pytest.mark.parametrize("record_id", ["q-putin-mediation", "e-ceasefire-signed", "vladimir-putin"])
def test_show_table_does_not_repeat_its_title(
    invoke: Invoke, tmp_path: Path, record_id: str
) -> None:
    """The title names kind and id, so neither the table nor the page has Kind or Id rows;
    the data formats keep both."""
    out = table(invoke, "show", record_id, width=120)
    assert record_id in out.splitlines()[0]
    assert not re.search(r"^(Kind|Id)\b", out, re.M)
    path = tmp_path / "show.html"
    assert invoke("show", record_id, "--html", str(path), "-f", "plain").exit_code == 0
    content, _ = page_of(path)
    assert '<th scope="row">Kind</th>' not in content
    assert '<th scope="row">Id</th>' not in content
    (row,) = records(invoke, "show", record_id)
    assert row["id"] == record_id and row["kind"]


def test_sources_names_the_fact_base_once(invoke: Invoke) -> None:
    """kb sources names its file in the title only, not again on stderr."""
    result = invoke("sources", "-f", "table", env={"COLUMNS": "120"})
    assert result.exit_code == 0
    assert result.stdout.startswith("Sources in ") and "facts.json" in result.stdout
    assert result.stderr == ""


def test_markers_explain_notes_and_contradictions(invoke: Invoke) -> None:
    """A quote with a note gets †, a contradicted quote ≠, each explained once under the table."""
    out = table(invoke, "quote", "Putin", width=80)
    assert "force†≠" in out
    assert out.count("† a note explains it: kb show ID") == 1
    assert out.count("≠ another quote contradicts it: kb disputes") == 1
    aliyev = table(invoke, "quote", "aliyev", width=80)
    assert "Too Destroying†" in aliyev
    assert "≠" not in aliyev


@pytest.mark.parametrize("fmt", ["plain", "json", "jsonl", "csv", "markdown"])
def test_markers_stay_out_of_the_data_formats(invoke: Invoke, fmt: str) -> None:
    """Scripts see no signs: plain, JSON, JSON lines, CSV and Markdown are unchanged."""
    result = invoke("quote", "Putin", "-f", fmt)
    assert result.exit_code == 0
    assert "†" not in result.stdout
    assert "≠" not in result.stdout


def huge_base(base: dict[str, Any], tmp_path: Path, size: int) -> Path:
    """A fact base whose Putin quote is ``size`` characters of words with controls in them."""
    chunk = "peacekeeping \x1b[31m force "
    text = (chunk * (size // len(chunk) + 1))[:size]
    quote = next(q for q in base["quotes"] if q["id"] == "q-putin-mediation")
    quote["text"] = text
    quote["excerpt"] = f"before {text} after"
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(base), encoding="utf-8")
    return path


def test_a_huge_quote_is_shortened_saying_how_to_get_it_all(
    invoke: Invoke, base: dict[str, Any], tmp_path: Path
) -> None:
    """A 10 MB quote shows its start and says how much is left out and how to see it all."""
    path = huge_base(base, tmp_path, 10_000_000)
    result = invoke("--facts", str(path), "quote", "Putin", "-f", "table", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert len(result.stdout) < 10_000
    assert re.search(
        r"\[[\d,]+ more characters: --format plain or --json shows all\]",
        " ".join(result.stdout.split()),
    )
    assert "\x1b" not in result.stdout
    assert "␛[31m" in result.stdout


def test_a_huge_excerpt_keeps_its_place_in_show(
    invoke: Invoke, base: dict[str, Any], tmp_path: Path
) -> None:
    """kb show of a record with a 10 MB text shortens both text and excerpt, and marks the text."""
    path = huge_base(base, tmp_path, 10_000_000)
    result = invoke(
        "--facts", str(path), "show", "q-putin-mediation", "-f", "table", env={"FORCE_COLOR": "1"}
    )
    assert result.exit_code == 0
    assert "\x1b[1;7mpeacekeeping" in result.stdout
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert " ".join(plain.split()).count("more characters") == 2


class Page(HTMLParser):
    """The parts of a web page the tests look at."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def count(self, tag: str) -> int:
        return sum(1 for name, _ in self.tags if name == tag)


def page_of(path: Path) -> tuple[str, Page]:
    content = path.read_text(encoding="utf-8")
    parsed = Page()
    parsed.feed(content)
    return content, parsed


def test_html_is_a_semantic_self_contained_page(invoke: Invoke, tmp_path: Path) -> None:
    """--html writes a table with headers, a row per record, the source in a footer, no URLs."""
    path = tmp_path / "timeline.html"
    result = invoke("timeline", "--json", "--html", str(path))
    assert result.exit_code == 0
    events = json.loads(result.stdout)
    content, page = page_of(path)
    assert content.startswith("<!DOCTYPE html>")
    assert ("meta", {"charset": "utf-8"}) in page.tags
    assert any(name == "meta" and attrs.get("name") == "viewport" for name, attrs in page.tags)
    assert page.count("table") == 1
    assert page.count("th") == 4
    assert page.count("tr") == len(events) + 1
    assert "<pre" not in content
    assert "<footer><p>Le Monde, [Azerbaijan" in content
    assert "@media print" in content and "@media (max-width" in content
    assert not re.search(r"(src|href)=|url\(|@import", content)
    for event in events:
        assert event["id"] in content


def test_html_of_one_record_is_a_field_value_table(invoke: Invoke, tmp_path: Path) -> None:
    """kb show --html gives a row per field, the field as a row header, the quote marked."""
    path = tmp_path / "show.html"
    assert invoke("show", "q-putin-mediation", "--html", str(path)).exit_code == 0
    content, _ = page_of(path)
    assert '<th scope="row">Excerpt</th>' in content
    assert "<mark>These talks will take place" in content


def test_html_escapes_hostile_text(invoke: Invoke, base: dict[str, Any], tmp_path: Path) -> None:
    """Markup in a quote is shown as text, and control characters as symbols."""
    quote = next(q for q in base["quotes"] if q["id"] == "q-putin-mediation")
    quote["text"] = '<script>alert("x")</script> \x1b[31m & end'
    quote["excerpt"] = f"before {quote['text']} after"
    facts = tmp_path / "hostile.json"
    facts.write_text(json.dumps(base), encoding="utf-8")
    path = tmp_path / "page.html"
    assert invoke("--facts", str(facts), "quote", "Putin", "--html", str(path)).exit_code == 0
    content = path.read_text(encoding="utf-8")
    assert "<script>" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; ␛[31m &amp; end" in content


@pytest.mark.parametrize("args", [["timeline"], ["quote", "Putin"], ["terms"], ["search", "talks"]])
def test_html_numbers_each_marked_record_s_note_on_the_page(
    invoke: Invoke, tmp_path: Path, args: list[str]
) -> None:
    """Every record marked † has its note, escaped, as a numbered footnote its sign points at."""
    path = tmp_path / "page.html"
    result = invoke(*args, "--json", "--html", str(path))
    assert result.exit_code == 0
    notes = [row["note"] for row in json.loads(result.stdout) if row.get("note")]
    content, _ = page_of(path)
    footnotes = re.findall(r"<li>(.*?)</li>", content)
    assert [text for text in footnotes if not text.startswith("contradicted by")] == [
        html.escape(note) for note in notes
    ]
    signs = re.findall(r'<span class="sign">[^<]*†[^<]*</span><sup>(\d+)</sup>', content)
    assert signs == [str(number) for number in range(1, len(notes) + 1)]


def test_html_footnotes_name_the_quotes_contradicting_a_record(
    invoke: Invoke, base: dict[str, Any], tmp_path: Path
) -> None:
    """A ≠-marked record's footnote names each contradicting quote: speaker, escaped text, id."""
    quote = next(q for q in base["quotes"] if q["id"] == "q-amirbayov-russians-not-participate")
    quote["text"] = quote["excerpt"] = 'Not <b>us</b> & "them"'
    facts = tmp_path / "disputed.json"
    facts.write_text(json.dumps(base), encoding="utf-8")
    path = tmp_path / "page.html"
    result = invoke("--facts", str(facts), "quote", "Putin", "--json", "--html", str(path))
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["contradicts"] == [quote["id"]]
    content, _ = page_of(path)
    footnotes = re.findall(r"<li>(.*?)</li>", content)
    assert footnotes[-1] == html.escape(
        f"contradicted by Elchin Amirbayov: “{quote['text']}” ({quote['id']})"
    )
    assert re.search(rf"≠</span><sup>1</sup><sup>{len(footnotes)}</sup>", content)
    assert "kb disputes" not in content
    assert "kb show ID" not in content


def test_html_escapes_a_hostile_note(invoke: Invoke, base: dict[str, Any], tmp_path: Path) -> None:
    """A note holding markup reaches the page as text."""
    quote = next(q for q in base["quotes"] if q["id"] == "q-putin-mediation")
    quote["note"] = '<img src=x onerror="alert(1)"> & \x1b[31m'
    facts = tmp_path / "hostile.json"
    facts.write_text(json.dumps(base), encoding="utf-8")
    path = tmp_path / "page.html"
    assert invoke("--facts", str(facts), "quote", "Putin", "--html", str(path)).exit_code == 0
    content = path.read_text(encoding="utf-8")
    assert "<img" not in content
    assert "<li>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; ␛[31m</li>" in content


def test_html_phone_layout_leaves_empty_fields_out(invoke: Invoke, tmp_path: Path) -> None:
    """A cell with no value is marked empty, and the narrow-screen style hides it."""
    path = tmp_path / "page.html"
    result = invoke("timeline", "--json", "--html", str(path))
    assert result.exit_code == 0
    without_place = sum(1 for row in json.loads(result.stdout) if not row["where"])
    content, _ = page_of(path)
    assert without_place > 0
    assert (
        len(re.findall(r'<td class="[^"]*\bempty\b[^"]*" data-label="Where"><p></p></td>', content))
        == without_place
    )
    phone = content.split("@media (max-width")[1].split("@media print")[0]
    assert re.search(r"td\.empty \{ display: none; \}", phone)


def test_svg_loads_no_fonts_from_the_network(invoke: Invoke, tmp_path: Path) -> None:
    """The SVG picture names a local monospace font and fetches nothing."""
    path = tmp_path / "quote.svg"
    assert invoke("quote", "Putin", "--svg", str(path)).exit_code == 0
    content = path.read_text(encoding="utf-8")
    assert "<svg" in content and "mediation" in content
    assert "@font-face" not in content
    assert not re.search(r"url\([\"']?http|https://cdn", content)


@pytest.mark.parametrize("picture", ["--svg", "--html"])
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_pictures_follow_the_umask(
    invoke: Invoke, tmp_path: Path, picture: str, umask: int, mode: int
) -> None:
    """A picture gets the mode any new file gets under the user's umask."""
    path = tmp_path / "picture"
    previous = os.umask(umask)
    try:
        assert invoke("terms", picture, str(path)).exit_code == 0
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == mode


@pytest.mark.parametrize("picture", ["--svg", "--html"])
def test_no_picture_when_nothing_is_found(invoke: Invoke, tmp_path: Path, picture: str) -> None:
    """kb quote Nobody exits 1 and writes no file."""
    path = tmp_path / "nobody"
    result = invoke("quote", "Nobody", picture, str(path))
    assert result.exit_code == 1
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("picture", ["--svg", "--html"])
def test_a_bad_picture_path_is_refused_before_any_output(
    invoke: Invoke, tmp_path: Path, picture: str
) -> None:
    """A missing folder is a usage error naming the path given, and nothing is printed."""
    given = str(tmp_path / "no" / "such.file")
    result = invoke("quote", "putn", "-f", "plain", picture, given)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, "not even the fuzzy-match warning comes first"
    assert f"cannot save {given}: no folder" in result.stderr
    assert picture in result.stderr
    assert ".tmp" not in result.stderr


def test_a_folder_as_picture_path_is_a_usage_error(invoke: Invoke, tmp_path: Path) -> None:
    """A folder given as the file is refused before any output."""
    result = invoke("timeline", "-f", "plain", "--html", str(tmp_path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert str(tmp_path) in result.stderr


def test_a_folder_without_write_permission_is_a_usage_error(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the system denies writing (as it would for a user other than root), kb says so first."""
    monkeypatch.setattr(os, "access", lambda *_args, **_kwargs: False)
    result = invoke("timeline", "-f", "plain", "--html", str(tmp_path / "t.html"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"cannot save {tmp_path / 't.html'}: permission denied" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_an_unwritable_folder_is_a_usage_error(invoke: Invoke, tmp_path: Path) -> None:
    """A folder the user cannot write to is refused before any output."""
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    result = invoke("timeline", "-f", "plain", "--svg", str(folder / "t.svg"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "permission denied" in result.stderr


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    return found


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with every route to the network closed."""
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={tmp_path / 'profile'}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_chromium_shows_the_page_as_a_table(invoke: Invoke, tmp_path: Path) -> None:
    """Chromium, cut off from the network, lays the page out with its table and footer."""
    path = tmp_path / "quotes.html"
    assert invoke("quote", "amirbayov", "--html", str(path)).exit_code == 0
    result = run_chromium(tmp_path, "--dump-dom", path.as_uri())
    assert result.returncode == 0, result.stderr
    assert "<table" in result.stdout
    assert result.stdout.count("<tr>") == 5
    assert "q-amirbayov-russians-not-participate" in result.stdout
    shot = tmp_path / "phone.png"
    result = run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=400,900", path.as_uri())
    assert result.returncode == 0, result.stderr
    assert shot.stat().st_size > 1000


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéИ", min_size=1, max_size=18)
QUOTE_ROW = st.fixed_dictionaries(
    {
        "id": st.from_regex(r"q-[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True),
        "text": st.lists(WORD, min_size=1, max_size=60).map(" ".join),
        "date": st.sampled_from(["2023", "2023-09", "2023-09-20", "2023-09-21?"]),
        "medium": st.lists(WORD, min_size=1, max_size=5).map(" ".join),
        "place": st.one_of(st.none(), WORD),
        "speaker": st.fixed_dictionaries({"id": st.just("p"), "name": WORD}),
        "note": st.one_of(st.none(), WORD),
        "contradicts": st.lists(st.just("q-other"), max_size=1),
    }
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(QUOTE_ROW, min_size=1, max_size=6), width=st.integers(60, 200))
def test_any_quotes_at_any_width_keep_words_and_ids_whole(
    rows: list[dict[str, Any]], width: int
) -> None:
    """Unseen texts at any width from 60 to 200: nothing wider, no word or id split."""
    out = io.StringIO()
    console = Console(file=out, width=width, no_color=True, highlight=False, markup=False)
    console.print(render._table(views.Listing("Quotes", rows, views.QUOTE_COLUMNS), console))
    text = out.getvalue()
    assert max(cell_len(line) for line in text.splitlines()) <= width
    tokens = set(text.split())
    for row in rows:
        assert row["id"] in tokens
        assert row["date"] in tokens
        assert set(row["text"].split()) <= tokens


def test_html_footnotes_name_contradicting_quotes_of_an_indexed_base(
    invoke: Invoke, base: dict[str, Any], tmp_path: Path
) -> None:
    """A base over 1 MiB, read through its index, still names the contradicting quote."""
    path = huge_base(base, tmp_path, 2_000_000)
    page = tmp_path / "page.html"
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert (
        invoke("--facts", str(path), "quote", "Putin", "--html", str(page), env=env).exit_code == 0
    )
    content, _ = page_of(page)
    assert "contradicted by Elchin Amirbayov: “Their protection will" in content
    assert "(q-amirbayov-russians-not-participate)</li>" in content


@pytest.mark.parametrize("width", WIDTHS)
def test_lines_under_a_narrow_table_wrap_at_the_terminal_s_width(
    invoke: Invoke, base: dict[str, Any], tmp_path: Path, width: int
) -> None:
    """The sources and signs under a table narrower than the terminal use the terminal's width."""
    for term in base["terms"]:
        term["text"] = term["excerpt"].split()[0]
        term["quoted"] = False
    facts = tmp_path / "narrow.json"
    facts.write_text(json.dumps(base), encoding="utf-8")
    rows = records(invoke, "--facts", str(facts), "terms")
    sources = {f"{row['source']['publisher']}, " for row in rows}
    out = table(invoke, "--facts", str(facts), "terms", width=width)
    lines = out.splitlines()
    table_width = max(len(line) for line in lines if line.lstrip().startswith("1 "))
    under = [line for line in lines if line.startswith(tuple(sources))]
    assert under
    assert all(len(line) <= width for line in lines)
    # Each source line is whole when it fits the terminal, else it fills the terminal's width.
    for line in under:
        assert len(line) > table_width
        assert line.endswith(tuple(row["source"]["date"] for row in rows)) or len(line) > width - 15


@pytest.mark.parametrize("supplied", [True, False])
def test_show_writes_a_quote_s_source_title_as_the_footer_does(
    invoke: Invoke, base: dict[str, Any], tmp_path: Path, supplied: bool
) -> None:
    """A quote's Source field brackets a supplied title, as the sources line does; the
    source's own Title field shows the title as stored."""
    source = next(s for s in base["sources"] if s["id"] == "src-lemonde-2023-09-21")
    source["title_supplied"] = supplied
    facts = tmp_path / "base.json"
    facts.write_text(json.dumps(base), encoding="utf-8")
    title = f"[{source['title']}]" if supplied else source["title"]
    quote = invoke("--facts", str(facts), "show", "q-putin-mediation", "-f", "plain")
    assert quote.exit_code == 0
    assert f"Source\t{title}, Le Monde, 2023-09-21" in quote.stdout.splitlines()
    shown = invoke("--facts", str(facts), "show", source["id"], "-f", "plain")
    assert shown.exit_code == 0
    assert f"Title\t{source['title']}" in shown.stdout.splitlines()


def test_a_progress_bar_shows_a_file_name_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file name that reads as Rich markup ("[/]", "[bold]") is shown literally in the
    progress bar on a terminal, never styled or refused."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stderr = Terminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    with render.progress("indexing [/]x[bold].json", 10) as advance:
        advance(10)
    assert "indexing [/]x[bold].json" in stderr.getvalue()
