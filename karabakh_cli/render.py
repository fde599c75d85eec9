"""Every way kb writes a listing: Rich tables, plain rows, JSON, JSON lines, CSV, Markdown.

The only module that imports Rich, and only inside the functions that draw a table, so a
command that prints JSON or plain rows never pays for importing it. Text from the fact base
is data: Rich gets it as ``Text``, never markup, and control characters are made visible
everywhere but JSON, which escapes them.
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import msgspec

from karabakh_cli.text import visible
from karabakh_cli.views import Listing, Row, cell

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table


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
    return _RAW_CONTROL.sub(lambda found: f"\\u{ord(found.group()):04x}", encoded.decode())


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


def _csv(listing: Listing, out: TextIO) -> None:
    flat = [dict(_flatten(row)) for row in listing.rows]
    header = list(dict.fromkeys(key for row in flat for key in row))
    import csv

    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in flat:
        writer.writerow([visible(str(row.get(key, ""))) for key in header])


def _markdown_cell(text: str) -> str:
    return visible(text).replace("\\", "\\\\").replace("|", "\\|")


def _markdown(listing: Listing, out: TextIO) -> None:
    if listing.vertical:
        header = ["Field", "Value"]
        body = [
            [column.header, column.value(row)] for row in listing.rows for column in listing.columns
        ]
    else:
        header = [column.header for column in listing.columns]
        body = [[column.value(row) for column in listing.columns] for row in listing.rows]
    out.write("| " + " | ".join(_markdown_cell(cell) for cell in header) + " |\n")
    out.write("|" + "|".join(" --- " for _ in header) + "|\n")
    for cells in body:
        out.write("| " + " | ".join(_markdown_cell(cell) for cell in cells) + " |\n")
    if listing.sources:
        out.write(
            "\n"
            + "\n".join(f"Source: {_markdown_cell(source)}" for source in listing.sources)
            + "\n"
        )


def _plain(listing: Listing, out: TextIO) -> None:
    for row in listing.rows:
        if listing.vertical:
            for column in listing.columns:
                out.write(f"{column.header}\t{visible(column.value(row))}\n")
        else:
            out.write("\t".join(visible(column.value(row)) for column in listing.columns) + "\n")


_NARROWEST = 4


def _table(listing: Listing, console: Console) -> Table:
    """The table view: a column per field, or, for one record or a table too wide for the
    console to show whole, field/value pairs record by record. Never a word cut off."""
    from rich.table import Table
    from rich.text import Text

    def titled(**options: Any) -> Table:
        caption = "\n".join(visible(source) for source in listing.sources) or None
        return Table(
            title=visible(listing.title), caption=caption, header_style="bold cyan", **options
        )

    if not listing.vertical:
        table = titled(show_lines=True)
        for column in listing.columns:
            table.add_column(
                column.header, overflow="fold", ratio=3 if column.wide else None, min_width=4
            )
        for row in listing.rows:
            table.add_row(
                *(
                    Text(visible(column.value(row), keep_newlines=True))
                    for column in listing.columns
                )
            )
        # Each column needs its narrowest width plus a border and a space either side; below
        # that Rich would crop the table, so the records are shown one field per line instead.
        if len(listing.columns) * (_NARROWEST + 3) + 1 <= console.width:
            return table
    table = titled()
    table.add_column("Field", style="bold", overflow="fold")
    table.add_column("Value", overflow="fold", ratio=1)
    for row in listing.rows:
        marked = listing.highlight(row) if listing.highlight else None
        for column in listing.columns:
            cell = Text(visible(column.value(row), keep_newlines=True))
            if marked and marked[0] == column.field:
                cell.stylize("bold reverse", marked[1], marked[2])
            table.add_row(Text(column.header), cell)
        table.add_section()
    return table


def _console(out: TextIO, **options: Any) -> Console:
    from rich.console import Console

    return Console(file=out, highlight=False, emoji=False, markup=False, **options)


def _save_atomically(path: Path, content: str) -> None:
    """Write all of ``content`` or nothing: a half-written picture is worse than none."""
    import tempfile

    handle, temporary = tempfile.mkstemp(
        dir=path.parent or Path(), prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(content)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_pictures(listing: Listing, svg: Path | None, html: Path | None) -> None:
    """Save the table view as SVG and/or HTML, as Rich's recording console draws it."""
    if svg is None and html is None:
        return
    import io

    console = _console(
        io.StringIO(), record=True, width=110, force_terminal=True, color_system="truecolor"
    )
    console.print(_table(listing, console))
    if svg is not None:
        _save_atomically(svg, console.export_svg(title=listing.title, clear=False))
    if html is not None:
        _save_atomically(html, console.export_html(clear=False))


def write(listing: Listing, fmt: Format, out: TextIO) -> None:
    """Write ``listing`` to ``out`` in ``fmt``.

    Nothing found is an empty array in JSON, so a script can always parse stdout, and
    nothing at all in the other formats: no empty table, no header without rows.
    """
    if fmt is Format.json:
        out.write(json_text(listing.rows))
    elif not listing.rows:
        return
    elif fmt is Format.jsonl:
        out.writelines(_json_text(row, indent=0) + "\n" for row in listing.rows)
    elif fmt is Format.csv:
        _csv(listing, out)
    elif fmt is Format.markdown:
        _markdown(listing, out)
    elif fmt is Format.plain:
        _plain(listing, out)
    else:
        console = _console(out)
        console.print(_table(listing, console))


def write_json(value: Any, out: TextIO) -> None:
    out.write(json_text(value))
