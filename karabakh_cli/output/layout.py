"""What the table view and the web page show of a listing, and how wide each column is.

Pure: no Rich, no printing. render.py draws the result with Rich and webpage.py writes it as
HTML, so a terminal and a browser show the same columns, signs and shortened cells.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from karabakh_cli.output.views import Column, Listing, Marker, Row, Shape
from karabakh_cli.text import visible

# The characters of one cell the table view and the page show. A table is for reading: a
# longer text is cut at a word and says how much is left out and how to get it all. Cutting
# first also keeps the table view fast for any size of text.
CELL_LIMIT = 1000
# A cut looks back this far for a space, so that a word is not cut in two.
_WORD_LOOKBACK = 60
# The main text gets at least this many characters, or the table becomes field/value pairs:
# narrower, a quote of a sentence or two wraps over more lines than a reader can follow.
MAIN_MIN = 24
# Spaces between two columns, as gh puts them.
GAP = 2

Measure = Callable[[str], int]
"""How many terminal cells a text takes (wide characters take two)."""


def shorten(text: str) -> tuple[str, int]:
    """``text`` cut to CELL_LIMIT characters at a word, and how many characters were left out."""
    if len(text) <= CELL_LIMIT:
        return text, 0
    space = text.rfind(" ", CELL_LIMIT - _WORD_LOOKBACK, CELL_LIMIT)
    cut = space if space > 0 else CELL_LIMIT
    return text[:cut], len(text) - cut


def left_out_note(count: int) -> str:
    return f" … [{count:,} more characters: --format plain or --json shows all]"


class Cell(NamedTuple):
    """One cell as shown: its text, the signs after it and the line beneath it."""

    text: str
    """Shortened, with control characters made visible; ends with what was left out."""
    signs: str = ""
    """The markers' signs, e.g. "†≠"."""
    beneath: str = ""
    """The record's id, shown whole on a line of its own."""
    marked: tuple[int, int] | None = None
    """A stretch of ``text`` to highlight (the quote within its excerpt)."""
    marks: tuple[tuple[str, int | None], ...] = ()
    """Each sign with the number of its footnote on the web page (None for a sign without
    one), so that the page shows each sign beside its own number."""


def with_signs(cell: Cell) -> str:
    """The cell's text as the table shows it, its signs right after its last word.

    Attached as a footnote mark is, so that wrapping moves them with that word: a space
    before them, even a no-break one, is a place the table may break and leave them alone.
    """
    return cell.text + cell.signs


def _shown(value: str, marked: tuple[int, int] | None = None) -> Cell:
    cut, left_out = shorten(value)
    text = visible(cut, keep_newlines=True)
    if marked is not None:
        # Offsets move where a control character became a longer symbol; a stretch past the
        # cut is marked up to the cut.
        start, end = (
            len(visible(cut[: min(offset, len(cut))], keep_newlines=True)) for offset in marked
        )
        marked = (start, end) if start < end else None
    return Cell(text + (left_out_note(left_out) if left_out else ""), marked=marked)


def _value(row: Row, field: str) -> str:
    return Column("", field).value(row)


class View(NamedTuple):
    """What the table view and the page show of a listing."""

    title: str
    headers: list[str]
    shapes: list[Shape]
    rows: list[list[Cell]]
    notes: list[str]
    """Lines under the table: the sources, then what each sign used means."""
    page_notes: list[str]
    """The same lines as the web page words them."""
    footnotes: list[str]
    """The texts the web page numbers under the table, in the order of their numbers."""
    vertical: bool
    numeric: list[bool]
    """Columns of numbers only, aligned to the right so that digits line up."""
    dates: list[bool]
    """Columns of dates (the model's every date field is named date), which a page marks up
    as dates."""
    page_title: str
    """The title a shared page or picture shows: no local path."""


class Mark(NamedTuple):
    """One sign a record gets, and what a page or a Markdown document numbers for it."""

    sign: str
    footnote: str | None
    """The footnote's text (the record's note, the quotes contradicting it), or None for a
    marker whose meaning under the table says it all."""


def used_markers(listing: Listing) -> list[Marker]:
    """The markers some row of the listing gets, in the listing's order."""
    rows = listing.held_rows
    return [marker for marker in listing.markers if any(marker.marks(row) for row in rows)]


def marks(used: list[Marker], row: Row) -> list[Mark]:
    """The signs ``row`` gets, each with its footnote's text."""
    return [
        Mark(
            marker.sign,
            (marker.footnote(row) if marker.footnote else text) if marker.on_the_page else None,
        )
        for marker in used
        if (text := marker.marks(row))
    ]


def main_column(columns: list[Column]) -> Column | None:
    """The column a record's signs follow: the main text, else the first column."""
    return next((column for column in columns if column.shape is Shape.MAIN), None) or next(
        iter(columns), None
    )


def _stated(column: Column, rows: list[Row], said: str) -> bool:
    """Whether every row holds one value that the title or caption already states."""
    values = {column.value(row).casefold() for row in rows}
    return column.omit_if_stated and len(values) == 1 and values.pop() in said.casefold()


def view(listing: Listing) -> View:
    """The columns worth drawing, each row's cells, and the lines under the table.

    Not drawn: a column empty in every row, a column the title or caption states, a field a
    marker shows as a sign, and a field shown beneath another column.
    """
    sources = [_shown(source).text for source in listing.sources]
    rows = listing.held_rows
    said = "\n".join([listing.title, *listing.sources])
    if listing.vertical:
        columns = [
            column
            for column in listing.columns
            if any(column.value(row) for row in rows) and not _stated(column, rows, said)
        ]
    else:
        hidden = {marker.field for marker in listing.markers}
        hidden |= {column.beneath for column in listing.columns if column.beneath}
        columns = [
            column
            for column in listing.columns
            if column.field not in hidden
            and any(column.value(row) for row in rows)
            and not _stated(column, rows, said)
        ]
    main = main_column(columns)
    shared = [] if listing.vertical else _shared(columns, main, rows)
    columns = [column for column in columns if column not in shared]
    title = listing.title + "".join(
        f" · {column.header}: {column.value(rows[0])}" for column in shared
    )
    used = used_markers(listing)
    cells = []
    footnotes: list[str] = []
    for row in rows:
        marked = listing.highlight(row) if listing.highlight else None
        numbered: list[tuple[str, int | None]] = []
        for mark in marks(used, row):
            if mark.footnote is not None:
                footnotes.append(visible(mark.footnote))
            numbered.append((mark.sign, len(footnotes) if mark.footnote is not None else None))
        signs = "".join(sign for sign, _ in numbered)
        shown = []
        for column in columns:
            stretch = marked[1:] if marked and marked[0] == column.field else None
            cell = _shown(column.value(row), stretch)
            if column.beneath:
                cell = cell._replace(beneath=visible(_value(row, column.beneath)))
            if column is main:
                cell = cell._replace(signs=signs, marks=tuple(numbered))
            shown.append(cell)
        cells.append(shown)
    return View(
        _shown(title).text,
        [column.header for column in columns],
        [column.shape for column in columns],
        cells,
        sources + [f"{marker.sign} {marker.meaning}" for marker in used] + [*listing.legend],
        sources
        + [f"{marker.sign} {marker.on_the_page or marker.meaning}" for marker in used]
        + [*listing.legend],
        footnotes,
        listing.vertical,
        [all(_is_number(row[index].text) for row in cells) for index in range(len(columns))],
        [column.field == "date" for column in columns],
        _shown(listing.page_title or listing.title).text,
    )


def _shared(columns: list[Column], main: Column | None, rows: list[Row]) -> list[Column]:
    """The columns of one value in every row (a speaker's every quote from one interview):
    said once in the title rather than repeated down the table. Never the main text, the id
    or a count, which are what each row is."""
    if len(rows) < 2:
        return []
    return [
        column
        for column in columns
        if column is not main
        and column.field != "id"
        and len({column.value(row) for row in rows}) == 1
        and not _is_number(column.value(rows[0]))
    ]


def _is_number(text: str) -> bool:
    return text.replace(".", "", 1).isdigit()


class _Need(NamedTuple):
    narrowest: int
    widest: int


def _need(header: str, shape: Shape, cells: list[Cell], measure: Measure) -> _Need:
    """The narrowest width that splits no word, date or id, and the width that wraps nothing."""
    lines = [line for cell in cells for line in with_signs(cell).splitlines()]
    widest = max([measure(header), *(measure(line) for line in lines)])
    beneath = max((measure(cell.beneath) for cell in cells), default=0)
    if shape is Shape.SHORT:
        return _Need(widest, widest)
    # A word longer than the main text's least width may be folded; anything shorter is whole.
    longest_word = max((measure(word) for line in lines for word in line.split()), default=0)
    narrowest = max(measure(header), beneath, min(longest_word, MAIN_MIN))
    if shape is Shape.MAIN:
        narrowest = max(narrowest, min(widest, MAIN_MIN))
    return _Need(narrowest, max(widest, beneath))


def widths(shown: View, width: int, measure: Measure) -> list[int] | None:
    """Each column's width in a table ``width`` cells wide, or None when it cannot fit.

    Short fields take what they need; the wrapping columns then share the rest by need: each
    cell of room goes to the column whose longest text wraps to the most lines (the main
    text on a tie), so none is squeezed to a word a line while another has room to spare.
    """
    columns = list(zip(shown.headers, shown.shapes, strict=True))
    needs = [
        _need(header, shape, [row[index] for row in shown.rows], measure)
        for index, (header, shape) in enumerate(columns)
    ]
    sizes = [need.narrowest for need in needs]
    room = width - GAP * (len(sizes) - 1) - sum(sizes)
    if room < 0:
        return None
    longest = [
        max((with_signs(row[index]) for row in shown.rows), key=measure, default="")
        for index in range(len(columns))
    ]
    main = [shape is Shape.MAIN for _, shape in columns]
    lines = [_lines(text, size, measure) for text, size in zip(longest, sizes, strict=True)]
    room = _grow(needs, sizes, lines, main, room, longest, measure)
    # The rows are now as short as the room allows. Narrow each column to the least width
    # that keeps them so, then spend what that frees on the columns that can then stand on
    # one line, the cheapest first: a name is not wrapped where the rows would not be lower.
    height = max(lines, default=1)
    for index, need in enumerate(needs):
        while sizes[index] > need.narrowest and (
            _lines(longest[index], sizes[index] - 1, measure) <= height
        ):
            sizes[index] -= 1
            room += 1
    for index in sorted(range(len(needs)), key=lambda index: needs[index].widest - sizes[index]):
        if 0 < needs[index].widest - sizes[index] <= room:
            room -= needs[index].widest - sizes[index]
            sizes[index] = needs[index].widest
    lines = [_lines(text, size, measure) for text, size in zip(longest, sizes, strict=True)]
    _grow(needs, sizes, lines, main, room, longest, measure)
    return sizes


def _grow(
    needs: list[_Need],
    sizes: list[int],
    lines: list[int],
    main: list[bool],
    room: int,
    longest: list[str],
    measure: Measure,
) -> int:
    """Give ``room`` a cell at a time to the column wrapping to the most lines, the main text
    on a tie; update ``sizes`` and ``lines`` in place and return the room left."""
    while room > 0:
        growing = [index for index, need in enumerate(needs) if sizes[index] < need.widest]
        if not growing:
            break
        index = max(growing, key=lambda index: (lines[index], main[index]))
        sizes[index] += 1
        room -= 1
        lines[index] = _lines(longest[index], sizes[index], measure)
    return room


def _lines(text: str, width: int, measure: Measure) -> int:
    """How many lines ``text`` wraps to, word by word, in ``width`` cells."""
    count, used = 0, 0
    for line in text.splitlines() or [""]:
        count += 1
        used = 0
        for word in line.split():
            size = measure(word)
            if used and used + 1 + size > width:
                count += 1
                used = 0
            used = used + 1 + size if used else size
    return count
