"""The table view read as a person reads it, at 60 to 200 columns: nothing wider than the
terminal, no word or id split, the room given to the text, signs explained once."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from karabakh_cli.output import layout, render, views
from tests.conftest import Invoke
from tests.output.conftest import huge_base, page_of

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
        [False, False],
        "t",
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
        [False, False],
        "t",
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


@pytest.mark.parametrize("fmt", ["plain", "json", "jsonl", "csv"])
def test_markers_stay_out_of_the_data_formats(invoke: Invoke, fmt: str) -> None:
    """Scripts see no signs: plain, JSON, JSON lines and CSV are unchanged."""
    result = invoke("quote", "Putin", "-f", fmt)
    assert result.exit_code == 0
    assert "†" not in result.stdout
    assert "≠" not in result.stdout


def test_a_huge_quote_is_shortened_saying_how_to_get_it_all(
    invoke: Invoke, base: dict[str, Any], tmp_path: Path
) -> None:
    """A quote fifty times the cell limit shows its start and says how much is left out and
    how to see it all."""
    path = huge_base(base, tmp_path, 50 * layout.CELL_LIMIT)
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
    """kb show of a record with a text fifty times the cell limit shortens both text and
    excerpt, and marks the text."""
    path = huge_base(base, tmp_path, 50 * layout.CELL_LIMIT)
    result = invoke(
        "--facts", str(path), "show", "q-putin-mediation", "-f", "table", env={"FORCE_COLOR": "1"}
    )
    assert result.exit_code == 0
    assert "\x1b[1;7mpeacekeeping" in result.stdout
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert " ".join(plain.split()).count("more characters") == 2


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
        # Whole: it ends with the date, or with what the source translates after it.
        ends = (*(row["source"]["date"] for row in rows), "of the French original)")
        assert line.endswith(ends) or len(line) > width - 15


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
