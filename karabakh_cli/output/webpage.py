"""The table view as a self-contained web page: semantic HTML and CSS, nothing fetched.

Written with the standard library. The page shows what the terminal table shows (the same
columns, signs and shortened cells, from layout.view); every text from the fact base is
escaped. On a narrow screen each record becomes a block of labelled fields.
"""

from __future__ import annotations

import re
from html import escape

from karabakh_cli.model import PARTIAL_DATE
from karabakh_cli.output.layout import Cell, View
from karabakh_cli.output.views import Shape

# A cell that is a web address and nothing else becomes a link: http and https only, so that a
# javascript: or file: address in the data is shown as text, never followed.
_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)

_STYLE = """
:root { color-scheme: light dark; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1rem auto;
  max-width: 72rem; padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; }
h1 { font-size: 1.25rem; margin: 0 0 .5rem; }
caption { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem; }
thead th { border-bottom: 2px solid; }
tbody tr { border-bottom: 1px solid rgba(128, 128, 128, .35); }
tbody th { white-space: nowrap; }
td.short p { white-space: pre; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
td.main { min-width: 16rem; }
.id { display: block; font: .85em ui-monospace, monospace; opacity: .7; white-space: nowrap; }
.sign { font-weight: bold; padding-left: .2em; }
sup a { text-decoration: none; }
:target { outline: 2px solid Highlight; }
td p { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
footer { margin-top: 1rem; font-size: .9rem; opacity: .85; }
footer p { margin: .2rem 0; }
@media (max-width: 40rem) {
  table.records thead { display: none; }
  table.records, table.records tbody, table.records tr, table.records td { display: block; }
  table.records tr { padding: .5rem 0; }
  table.records td { padding: .1rem 0; }
  table.records caption { display: block; }
  table.records td::before { content: attr(data-label) ": "; font-weight: bold; }
  table.records td p { display: inline; }
  table.records td.empty { display: none; }
  td.main { min-width: 0; }
}
@media print {
  body { max-width: none; margin: 0; font-size: 10pt; color: #000; background: #fff; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
}
"""


def _cell(cell: Cell, *, date: bool = False) -> str:
    text = cell.text
    if cell.marked:
        start, end = cell.marked
        body = f"{escape(text[:start])}<mark>{escape(text[start:end])}</mark>{escape(text[end:])}"
    elif date and PARTIAL_DATE.fullmatch(text):
        # An uncertain date keeps its ? in the text; datetime holds the date alone (a year, a
        # month or a day are each valid there).
        body = f'<time datetime="{escape(text.rstrip("?"))}">{escape(text)}</time>'
    elif _WEB_ADDRESS.fullmatch(text):
        body = f'<a href="{escape(text)}">{escape(text)}</a>'
    else:
        body = escape(text)
    # Each sign beside its own footnote's number, a narrow no-break space between one mark and
    # the next: "†¹ ≠²", never "†≠¹²", which reads as one sign with note 12.
    signs = "\u202f".join(_mark(sign, number) for sign, number in cell.marks)
    beneath = f'<code class="id">{escape(cell.beneath)}</code>' if cell.beneath else ""
    return f"<p>{body}{signs}</p>{beneath}"


def _mark(sign: str, number: int | None) -> str:
    """A sign, and the link to its footnote, which links back to it."""
    shown = f'<span class="sign">{escape(sign)}</span>'
    if number is None:
        return shown
    return (
        f'{shown}<sup><a href="#note-{number}" id="ref-{number}" role="doc-noteref">'
        f"{number}</a></sup>"
    )


def _records(shown: View) -> list[str]:
    """A row per record, a header per column."""
    headers = "".join(f'<th scope="col">{escape(header)}</th>' for header in shown.headers)
    lines = ['<table class="records">', f"<caption>{escape(shown.page_title)}</caption>"]
    lines.append(f"<thead><tr>{headers}</tr></thead>")
    lines.append("<tbody>")
    for cells in shown.rows:
        row = "".join(
            f'<td class="{_classes(shape, numeric, cell)}" data-label="{escape(header)}">'
            f"{_cell(cell, date=date)}</td>"
            for header, shape, numeric, date, cell in zip(
                shown.headers, shown.shapes, shown.numeric, shown.dates, cells, strict=True
            )
        )
        lines.append(f"<tr>{row}</tr>")
    lines.append("</tbody></table>")
    return lines


def _classes(shape: Shape, numeric: bool, cell: Cell) -> str:
    """A cell's classes; "empty" lets a phone leave out the label of a field with no value,
    as the terminal does field by field."""
    empty = not (cell.text or cell.beneath)
    return " ".join([shape.value, *(["number"] if numeric else []), *(["empty"] if empty else [])])


def _fields(shown: View) -> list[str]:
    """One record as field/value pairs."""
    lines = ['<table class="fields">', f"<caption>{escape(shown.page_title)}</caption>"]
    lines.append("<tbody>")
    for cells in shown.rows:
        lines.extend(
            f'<tr><th scope="row">{escape(header)}</th><td class="{Shape.MAIN.value}">'
            f"{_cell(cell, date=date)}</td></tr>"
            for header, date, cell in zip(shown.headers, shown.dates, cells, strict=True)
            if cell.text or cell.beneath
        )
    lines.append("</tbody></table>")
    return lines


def page(shown: View) -> str:
    """A whole HTML page of ``shown``: the title, the table, the sources and signs in a footer."""
    table = _fields(shown) if shown.vertical else _records(shown)
    footer = "".join(f"<p>{escape(note)}</p>" for note in shown.page_notes)
    if shown.footnotes:
        items = "".join(
            f'<li id="note-{number}">{escape(text)} <a href="#ref-{number}" '
            f'role="doc-backlink" aria-label="Back to the text of note {number}">↩\ufe0e</a></li>'
            for number, text in enumerate(shown.footnotes, start=1)
        )
        footer += f'<ol class="footnotes">{items}</ol>'
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(shown.page_title)}</title>",
            f"<style>{_STYLE}</style>",
            "</head>",
            "<body>",
            "<main>",
            f"<h1>{escape(shown.page_title)}</h1>",
            *table,
            f"<footer>{footer}</footer>" if footer else "",
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )
