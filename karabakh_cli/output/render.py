"""Every way kb writes a listing: Rich tables, plain rows, JSON, JSON lines, CSV, Markdown,
and the SVG picture and web page of the table view.

The only module that imports Rich, and only inside the functions that draw a table, so a
command that prints JSON or plain rows never pays for importing it. Text from the fact base
is data: Rich gets it as ``Text``, never markup, and control characters are made visible
everywhere but JSON, which escapes them.
"""

from __future__ import annotations

import contextlib
import enum
import itertools
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import msgspec

from karabakh_cli.output.views import Listing, Row, Shape, cell
from karabakh_cli.text import visible

if TYPE_CHECKING:
    from rich.console import Console, Group
    from rich.table import Table
    from rich.text import Text

    from karabakh_cli.output.layout import Cell, View


class Format(str, enum.Enum):
    """Output formats of every listing command."""

    table = "table"
    plain = "plain"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    markdown = "markdown"


def choose_format(requested: Format | None, json_flag: bool, is_terminal: bool) -> Format:
    """--format wins, then --json; otherwise a table for a person and plain rows for a pipe."""
    if requested is not None:
        return requested
    if json_flag:
        return Format.json
    return Format.table if is_terminal else Format.plain


# JSON allows DEL and C1 controls raw inside strings; escape them so a terminal never sees them.
_RAW_CONTROL = re.compile("[\x7f-\x9f]")


def _json_text(value: Any, *, indent: int) -> str:
    encoded = msgspec.json.encode(value)
    if indent:
        encoded = msgspec.json.format(encoded, indent=indent)
    return _escaped(encoded)


def _escaped(encoded: bytes) -> str:
    """JSON text with its raw DEL and C1 controls escaped."""
    text = encoded.decode()
    # Neither DEL nor a C1 control (U+0080 to U+009F, 0xc2 0x80 to 0xc2 0x9f in UTF-8) can be
    # in bytes without 0x7f and 0xc2: two byte searches spare most output the scan.
    if b"\x7f" not in encoded and b"\xc2" not in encoded:
        return text
    return _RAW_CONTROL.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def json_text(value: Any) -> str:
    """Indented JSON, for ``--json`` and ``kb schema``."""
    return _json_text(value, indent=2) + "\n"


def _flatten(row: Row, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Nested objects become prefixed columns (speaker_name); lists become '; '-joined cells."""
    for key, value in row.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}_")
        elif isinstance(value, list):
            yield f"{prefix}{key}", cell(value)
        elif isinstance(value, bool):
            yield f"{prefix}{key}", "true" if value else "false"
        else:
            yield f"{prefix}{key}", "" if value is None else value


# Streamed rows are made and written this many at a time: one encoding and one write for
# each batch rather than each row, and a few hundred kilobytes of text held at most.
_BATCH = 1000


def _batches(rows: Iterable[Row], out: TextIO) -> Iterator[list[Row]]:
    """``rows``, a batch at a time, until ``out`` is closed: its reader went away
    (pipes.py), and the rows left would be made for nothing."""
    remaining = iter(rows)
    while not out.closed and (batch := list(itertools.islice(remaining, _BATCH))):
        yield batch


# KB_CSV_FOR_SPREADSHEETS=1 guards CSV meant for a spreadsheet against formula injection.
SPREADSHEET_ENV = "KB_CSV_FOR_SPREADSHEETS"
# What a spreadsheet may read as the start of a formula (OWASP's list); a number, which may
# start with a sign, is left as it is.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def _for_spreadsheet(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs: a leading ' before what could start a
    formula (=1+1, @SUM(A1), -2+3), as OWASP advises; numbers stay numbers."""
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _csv_cell(value: object) -> str:
    """A value as a CSV cell: line breaks and tabs as they are (the writer quotes the cell),
    other control characters made visible (ESC as ␛)."""
    return visible(str(value), keep_newlines=True)


def _spreadsheet_cell(value: object) -> str:
    return _for_spreadsheet(_csv_cell(value))


def _csv(listing: Listing, out: TextIO) -> int:
    """RFC 4180 CSV, its header first even when there are no rows, so that a reader (pandas,
    csv.DictReader) always finds the columns.

    The cells hold the data exactly, line breaks and tabs included (only other control
    characters are made visible, as everywhere else): a script gets what JSON gives. A file
    meant for a spreadsheet is safer with KB_CSV_FOR_SPREADSHEETS=1 in the environment: a
    cell a spreadsheet could run as a formula (=, +, -, @, a tab or a carriage return first,
    but not a number) then starts with a ', which makes it text. It is opt-in because the '
    changes the data a script reads.
    """
    import csv

    guarded = os.environ.get(SPREADSHEET_ENV, "") not in ("", "0")
    cell = _spreadsheet_cell if guarded else _csv_cell
    writer = csv.writer(out, lineterminator="\r\n")
    rows = iter(listing.rows)
    first = next(rows, None)
    if first is None:
        # No row says which fields a row holds; the listing's columns name the main ones.
        header = list(dict.fromkeys(column.field.replace(".", "_") for column in listing.columns))
        if header:
            writer.writerow(header)
        return 0
    # Every field of any held row, in first-seen order; the rows of an iterator share theirs.
    fielded = listing.rows if isinstance(listing.rows, list) else [first]
    header = list(dict.fromkeys(key for row in fielded for key, _ in _flatten(row)))
    writer.writerow(header)
    count = 0
    for batch in _batches(itertools.chain([first], rows), out):
        flats = map(dict, map(_flatten, batch))
        writer.writerows([cell(flat.get(key, "")) for key in header] for flat in flats)
        count += len(batch)
    # ``first`` is a row: something was found, even when the reader left at the header.
    return max(count, 1)


# Every ASCII character Markdown (CommonMark, GFM, pandoc) may read as markup within a line:
# emphasis, code, links and images, raw HTML and entities, table cells, strikethrough,
# pandoc's superscript, maths, citations and attributes. A backslash before each shows it.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~^$@&!{}])")
# What would start a block at the start of a footnote's text: a list item, a heading.
_MARKDOWN_BLOCK_START = re.compile(r"^(?:(\d+)([.)])|([-+=#]))")


def _markdown_text(text: str) -> str:
    """Data as Markdown shows it literally, on one line (control characters made visible)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", visible(text))


def _markdown_footnote(text: str) -> str:
    def escaped(found: re.Match[str]) -> str:
        return f"{found[1]}\\{found[2]}" if found[1] else f"\\{found[3]}"

    return _MARKDOWN_BLOCK_START.sub(escaped, _markdown_text(text))


def _markdown(listing: Listing, out: TextIO) -> None:
    """A GitHub-flavoured table, then the sources, what the signs mean and, as numbered
    footnotes, what each sign points at (a record's note, the quotes contradicting it):
    ``Too Destroying†[^1]`` in the cell, ``[^1]: The machine translation garbles...`` below.

    Every text is data: Markdown's special characters are escaped, so a renderer shows
    ``<script>``, ``*`` or ``|`` as written. As in the table, a column empty in every row is
    left out, and so is each empty field of a record shown field by field.
    """
    from karabakh_cli.output import layout

    rows = listing.held_rows
    used = layout.used_markers(listing)
    footnotes: list[str] = []

    def signed(text: str, row: Row) -> str:
        for mark in layout.marks(used, row):
            text += _markdown_text(mark.sign)
            if mark.footnote is not None:
                footnotes.append(mark.footnote)
                text += f"[^{len(footnotes)}]"
        return text

    if listing.vertical:
        header = ["Field", "Value"]
        body = [
            [_markdown_text(column.header), _markdown_text(value)]
            for row in rows
            for column in listing.columns
            if (value := column.value(row))
        ]
    else:
        columns = [column for column in listing.columns if any(column.value(row) for row in rows)]
        main = layout.main_column(columns)
        header = [column.header for column in columns]
        body = [
            [
                signed(text, row) if column is main else text
                for column in columns
                for text in [_markdown_text(column.value(row))]
            ]
            for row in rows
        ]
    out.write("| " + " | ".join(_markdown_text(cell) for cell in header) + " |\n")
    out.write("|" + "|".join(" --- " for _ in header) + "|\n")
    out.write("".join("| " + " | ".join(cells) + " |\n" for cells in body))
    under = [f"Source: {source}" for source in listing.sources]
    under += [f"{marker.sign} {marker.on_the_page or marker.meaning}" for marker in used]
    under += listing.legend
    if under:
        # Two spaces end a line within the paragraph: a break, in every renderer.
        out.write("\n" + "  \n".join(map(_markdown_text, under)) + "\n")
    if footnotes:
        numbered = enumerate(map(_markdown_footnote, footnotes), start=1)
        out.write("\n" + "".join(f"[^{number}]: {text}\n" for number, text in numbered))


def _plain(listing: Listing, out: TextIO) -> int:
    count = 0
    for batch in _batches(listing.rows, out):
        out.write("".join(_plain_lines(listing, row) for row in batch))
        count += len(batch)
    return count


def _plain_lines(listing: Listing, row: Row) -> str:
    if listing.vertical:
        return "".join(
            f"{column.header}\t{visible(column.value(row))}\n" for column in listing.columns
        )
    return (
        "\t".join(visible(column.value(row)) for column in listing.columns if column.plain) + "\n"
    )


_LINES = msgspec.json.Encoder()


def _jsonl(listing: Listing, out: TextIO) -> int:
    count = 0
    for batch in _batches(listing.rows, out):
        out.write(_escaped(_LINES.encode_lines(batch)))
        count += len(batch)
    return count


def _json(listing: Listing, out: TextIO) -> int:
    """The rows as one indented JSON array, the same text as ``json_text`` of them all,
    written a batch at a time: each batch's array without its brackets is those elements
    as the whole array holds them."""
    count = 0
    for batch in _batches(listing.rows, out):
        out.write(("," if count else "[") + "\n" + _json_text(batch, indent=2)[2:-2])
        count += len(batch)
    out.write("\n]\n" if count else "[]\n")
    return count


def _cell_text(cell: Cell) -> Text:
    """A cell as Rich text: the text (its marked stretch in reverse), its signs, the dim id."""
    from rich.text import Text

    text = Text(cell.text)
    if cell.marked:
        text.stylize("bold reverse", *cell.marked)
    if cell.signs:
        text.append(cell.signs, style="bold yellow")  # attached: see layout.with_signs
    if cell.beneath:
        text.append("\n" + cell.beneath, style="dim")
    return text


def _table(listing: Listing, console: Console) -> Group:
    """The table view: the table, then the lines under it (sources, signs), wrapped at the
    terminal's width; as the table's caption they would wrap at the table's, however narrow."""
    from rich.console import Group
    from rich.text import Text

    # Imported here, as Rich is: only the table view and the pictures lay a listing out.
    from karabakh_cli.output import layout

    shown = layout.view(listing)
    drawn = _drawn(shown, console)
    if not shown.notes:
        return Group(drawn)
    return Group(drawn, Text("\n" + "\n".join(shown.notes), style="table.caption"))


def _drawn(shown: View, console: Console) -> Table:
    """The table itself, modelled on ``gh issue list``: no borders, the main text given the
    room the short fields leave, a blank line between records. For one record, or where the
    main text would get fewer than layout.MAIN_MIN cells, field/value pairs record by record."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table

    from karabakh_cli.output import layout

    sizes = None if shown.vertical else layout.widths(shown, console.width, cell_len)
    table = Table(
        title=shown.title,
        title_justify="left",
        title_style="bold",
        header_style="bold cyan",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, layout.GAP - 1, 0, 0),
        leading=1,
    )
    if sizes is not None:
        for header, shape, numeric, size in zip(
            shown.headers, shown.shapes, shown.numeric, sizes, strict=True
        ):
            table.add_column(
                header,
                width=size,
                no_wrap=shape is Shape.SHORT,
                overflow="fold",
                justify="right" if numeric else "left",
            )
        for cells in shown.rows:
            table.add_row(*(_cell_text(cell) for cell in cells))
        return table
    table.show_header = False
    table.leading = 0
    label_width = max((cell_len(header) for header in shown.headers), default=0)
    table.add_column(style="bold cyan", no_wrap=True, width=label_width)
    table.add_column(overflow="fold", width=max(console.width - label_width - layout.GAP, 1))
    for cells in shown.rows:
        for header, value in zip(shown.headers, cells, strict=True):
            if value.text or value.beneath:
                table.add_row(header, _cell_text(value))
        table.add_section()
    return table


def _console(out: TextIO, **options: Any) -> Console:
    from rich.console import Console

    return Console(file=out, highlight=False, emoji=False, markup=False, **options)


@contextlib.contextmanager
def progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """Long work through a file of ``total`` bytes shown on stderr: a progress bar on a
    terminal, else one line saying what kb does; yields the function that counts the bytes
    each step took."""
    if not sys.stderr.isatty():
        size = f"{total / 1024 / 1024:,.1f} MiB"
        sys.stderr.write(f"kb: {visible(description)} ({size}), once for this file\n")
        yield lambda step: None
        return
    from rich.markup import escape
    from rich.progress import Progress

    with Progress(console=_console(sys.stderr), transient=True) as bar:
        # A task's description is markup to Rich: a file named "[bold]x.json" stays as it is.
        task = bar.add_task(escape(visible(description)), total=total)
        yield lambda step: bar.advance(task, step)


def check_writable(path: Path) -> str | None:
    """Why a picture cannot be saved at ``path``, or None; asked before any output is written."""
    from karabakh_cli import files

    folder = path.parent
    if path.is_dir():
        return "it is a folder"
    if path.exists():
        try:
            files.regular_status(path)  # a FIFO or a device is never replaced by a file
        except files.NotRegular as error:
            return error.strerror
    if not folder.is_dir():
        return f"no folder {folder}"
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "permission denied"
    return None


# Rich's SVG fetches the Fira Code font from a CDN; without it the picture uses the reader's
# own monospace font and loads nothing from the network.
_FONT_FACE = re.compile(r"\s*@font-face\s*\{[^}]*\}")
# The width of an SVG picture, in columns: readable on a slide.
PICTURE_WIDTH = 100


def svg_text(listing: Listing) -> str:
    """The table view as an SVG picture."""
    import html
    import io

    console = _console(
        io.StringIO(),
        record=True,
        width=PICTURE_WIDTH,
        force_terminal=True,
        color_system="truecolor",
    )
    # A picture is shared: its title names no local path (Listing.page_title).
    shared = msgspec.structs.replace(listing, title=listing.page_title or listing.title)
    console.print(_table(shared, console))
    title = visible(shared.title)
    picture = _FONT_FACE.sub("", console.export_svg(title=title))
    # An image to assistive technology, named by its title (Rich's SVG has neither).
    opening = picture.index("<svg") + len("<svg")
    named = picture.index(">", opening) + 1
    return (
        f'{picture[:opening]} role="img" aria-labelledby="kb-title"{picture[opening:named]}'
        f'<title id="kb-title">{html.escape(title)}</title>{picture[named:]}'
    )


def save_svg(listing: Listing, path: Path) -> None:
    """Save the table view as an SVG picture, whole or not at all."""
    from karabakh_cli import files

    files.put_atomically(path, svg_text(listing).encode())


def save_html(listing: Listing, path: Path) -> None:
    """Save the table view as a web page, whole or not at all."""
    from karabakh_cli import files
    from karabakh_cli.output import layout, webpage

    files.put_atomically(path, webpage.page(layout.view(listing)).encode())


# The formats written as the rows are made, a batch at a time: a long listing is never held
# whole. Each writer returns how many rows it wrote.
_STREAMED: dict[Format, Callable[[Listing, TextIO], int]] = {
    Format.json: _json,
    Format.jsonl: _jsonl,
    Format.csv: _csv,
    Format.plain: _plain,
}


def pager_command() -> list[str] | None:
    """The pager a long table goes through on a terminal, as git chooses one: KB_PAGER, then
    PAGER, then ``less``; None when set empty or to ``cat`` (no pager)."""
    import shlex

    chosen = os.environ.get("KB_PAGER", os.environ.get("PAGER", "less"))
    words = shlex.split(chosen) if chosen.strip() else []
    return None if not words or words == ["cat"] else words


def _paged(text: str, out: TextIO, height: int) -> None:
    """``text`` to ``out``, through the pager when it is taller than the terminal; less
    quits at once on a screenful, keeps colour and leaves the text on the screen (LESS=FRX,
    as git sets it, unless LESS says otherwise)."""
    import subprocess

    command = pager_command()
    if command is None or text.count("\n") < height:
        out.write(text)
        return
    out.flush()
    env = {**os.environ, "LESS": os.environ.get("LESS", "FRX")}
    try:
        pager = subprocess.Popen(command, stdin=subprocess.PIPE, env=env, text=True)
    except OSError:
        out.write(text)  # no such pager: the text all the same
        return
    assert pager.stdin is not None
    with contextlib.suppress(BrokenPipeError):  # the reader quit the pager early
        pager.stdin.write(text)
        pager.stdin.close()
    pager.wait()


def write(listing: Listing, fmt: Format, out: TextIO, *, page: bool = False) -> int:
    """Write ``listing`` to ``out`` in ``fmt``; return how many rows it had (or, if the
    reader went away, how many were written).

    Nothing found is an empty array in JSON and a header in CSV, so a script can always
    parse stdout, and nothing at all in the other formats: no empty table. A table
    and Markdown hold every row (column widths, the sources under them); the other
    formats never do.
    """
    streamed = _STREAMED.get(fmt)
    if streamed is not None:
        return streamed(listing, out)
    if not listing.held_rows:
        return 0
    if fmt is Format.markdown:
        _markdown(listing, out)
    elif page and out.isatty():
        # A table taller than the terminal goes through a pager, as git log's does.
        console = _console(out)
        with console.capture() as captured:
            console.print(_table(listing, console))
        _paged(captured.get(), out, console.height)
    else:
        console = _console(out)
        console.print(_table(listing, console))
    return len(listing.held_rows)


def write_json(value: Any, out: TextIO) -> None:
    out.write(json_text(value))


def write_text(text: str, out: TextIO) -> None:
    """Write a text kb made in a format of its own (a BibTeX entry, kb validate's lines) as it
    is: the caller has shown any control characters it quotes (text.visible)."""
    out.write(text)
