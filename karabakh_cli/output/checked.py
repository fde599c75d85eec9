"""kb check's listing: a row for each quotation checked (the object --json prints, its fields
documented in docs/output.md), and the columns the table, plain and markdown views show."""

from __future__ import annotations

from collections.abc import Iterable

from karabakh_cli.lookup.checking import Checked
from karabakh_cli.output.views import Column, Listing, Row, Shape


class CheckedRows:
    """Rows of checked quotations, made one at a time; the speakers' names they show are kept
    as the rows are made (a row carries the speaker's id only)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def row(self, checked: Checked) -> Row:
        quote = checked.quote
        if quote is not None and checked.candidate is not None:
            self.names[quote.speaker] = checked.candidate.speaker.name
        credited = checked.credited
        return {
            "text": checked.quotation.text,
            "line": checked.quotation.line,
            "column": checked.quotation.column,
            "credited": {
                "written": credited.written,
                "how": credited.how,
                "person": credited.person,
                "people": list(credited.people),
            },
            "match": checked.match,
            "quote": quote.id if quote else None,
            "speaker": quote.speaker if quote else None,
            "attribution": checked.attribution,
            "changes": checked.changes,
            "score": checked.candidate.score if checked.candidate else None,
        }

    def listing(self, title: str, rows: Iterable[Row]) -> Listing:
        columns = [
            Column("Line", "line", Shape.SHORT),
            Column("Quotation", "text", Shape.MAIN, beneath="quote"),
            Column("Match", "match", Shape.SHORT),
            Column("Credit", "attribution", Shape.SHORT),
            Column("Base credits", "speaker", written=self.names.__getitem__),
            Column("Text credits", "credited", written=_credited),
            Column("Changes", "changes"),
            Column("Quote", "quote", Shape.SHORT),
        ]
        return Listing(title, rows, columns)


def _credited(credited: Row) -> str:
    """Whom the text credits as it writes it, and whether the base knows them."""
    written = credited["written"]
    if written is None:
        return ""
    if credited["how"] == "pronoun":
        return f"{written} (no name)"
    people = len(credited["people"])
    if people == 0:
        return f"{written} (not in the base)"
    if people > 1:
        return f"{written} (ambiguous: {people} people)"
    return str(written)
