"""What ``kb add quotes`` shows: the proposals as a listing (jsonl in a pipe), and one proposal
at a time for the review, with its context and the quotation marked as ``kb show`` marks it.
``kb add --from`` lists the records it added the same way as any listing.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

import msgspec

from karabakh_cli.base import sentences
from karabakh_cli.curate.proposing import Proposal
from karabakh_cli.lookup.loaded import LoadedBase
from karabakh_cli.model import Quote, Record, RecordKind
from karabakh_cli.output.views import Column, Listing, Row, Shape

# Fields of a proposal the review's card shows, in order, with their labels.
_CARD = (
    ("Proposed", "proposed"),
    ("Text", "text"),
    ("Speaker", "speaker_shown"),
    ("Date", "date_shown"),
    ("Place", "place"),
    ("Medium", "medium"),
    ("Note", "note"),
    ("Attribution", "attribution_shown"),
    ("Context", "context"),
)
_PROPOSED = {
    ("quote", "direct"): "a quote: a direct quotation",
    ("quote", "fragment"): "a quote: a fragment quoted inside reported speech",
    ("term", "direct"): "a term: the words of a document",
    ("term", "fragment"): "a term: the words of a document",
}


def proposals_listing(title: str, proposals: Iterable[Proposal]) -> Listing:
    """Every proposal as a row: the object ``--format jsonl`` writes a line of."""
    rows = (msgspec.structs.asdict(proposal) for proposal in proposals)
    return Listing(
        title,
        rows,
        [
            Column("Status", "status", Shape.SHORT),
            Column("Kind", "kind", Shape.SHORT),
            Column("Text", "text", Shape.MAIN),
            Column("Speaker", "speaker"),
            Column("Form", "form", Shape.SHORT),
            Column("Date", "date", Shape.SHORT),
            Column("Line", "line", Shape.SHORT),
        ],
    )


def speaker_shown(facts: LoadedBase, proposal: Proposal) -> str:
    """The speaker as the curator reads it: the person's name and id, a new person with the
    role the text gives, the people a name may stand for, or why there is none."""
    if proposal.kind == "term":
        return f"none: the text credits a document ({proposal.credited})"
    if proposal.speaker is None:
        said = f"the text says only {proposal.credited!r}" if proposal.credited else "no name"
        hint = (
            f"; the sentence before names {', '.join(proposal.nearby)}" if proposal.nearby else ""
        )
        return f"unresolved ({said}{hint})"
    person = facts.people.get(proposal.speaker)
    if person is not None:
        return f"{person.name} ({person.id})"
    if proposal.candidates:
        return f"{proposal.speaker}: several people, {', '.join(proposal.candidates)}"
    role = f", {proposal.role}" if proposal.role else ""
    return f"{proposal.speaker}{role} (a new person)" if proposal.new_person else proposal.speaker


def card(facts: LoadedBase, proposal: Proposal, text: str, number: int, total: int) -> Listing:
    """One proposal field by field, for the review: its context is the sentence before its
    excerpt, the excerpt and the sentence after, the quotation marked there."""
    context, marked = _context(text, proposal)
    date = proposal.date
    if proposal.date_from == "text":
        date = f"{date} (the text says {proposal.date_said!r})"
    else:
        date = f"{date} (the source's date)"
    row: Row = {
        **msgspec.structs.asdict(proposal),
        "proposed": _PROPOSED[proposal.kind, proposal.form],
        "speaker_shown": speaker_shown(facts, proposal),
        # A term is not dated: the document's words hold whenever they were reported.
        "date_shown": date if proposal.kind == "quote" else None,
        # Shown only when it is not the usual: the text names the speaker.
        "attribution_shown": "inferred: who spoke is your reading; the note says why"
        if proposal.attribution == "inferred"
        else None,
        "context": context,
        "_marked": marked,
    }
    columns = [Column(label, field) for label, field in _CARD]
    return Listing(
        f"Proposal {number} of {total}: line {proposal.line} of {proposal.source}",
        [row],
        columns,
        vertical=True,
        highlight=lambda shown: ("context", *shown["_marked"]),
    )


def _context(text: str, proposal: Proposal) -> tuple[str, tuple[int, int]]:
    """The sentences around the quotation on one line, and where the quotation stands in it."""
    breaks = sentences.starts(text)
    first = bisect.bisect_right(breaks, proposal.start)
    last = bisect.bisect_left(breaks, proposal.end)
    begin = breaks[first - 2] if first >= 2 else 0
    finish = breaks[last + 1] if last + 1 < len(breaks) else len(text)
    before = " ".join(text[begin : proposal.start].split())
    quoted = " ".join(text[proposal.start : proposal.end].split())
    after = " ".join(text[proposal.end : finish].split())
    # A space where the text had whitespace at the joins, none where it had none.
    gap_before = " " if before and text[proposal.start - 1].isspace() else ""
    gap_after = " " if after and text[proposal.end : proposal.end + 1].isspace() else ""
    start = len(before) + len(gap_before)
    return f"{before}{gap_before}{quoted}{gap_after}{after}", (start, start + len(quoted))


def added_listing(
    facts: LoadedBase, title: str, records: list[tuple[int, RecordKind, Record]]
) -> Listing:
    """The records ``kb add --from`` or a review added: one row each, with the number of
    the proposal (or input line) it came from."""
    rows: list[Row] = []
    for number, kind, record in records:
        speaker = facts.people.get(record.speaker) if isinstance(record, Quote) else None
        text = getattr(record, "text", None) or getattr(record, "name", "")
        rows.append(
            {
                "from": number,
                "kind": kind,
                "id": record.id,
                "speaker": speaker.name if speaker else None,
                "text": text,
            }
        )
    return Listing(
        title,
        rows,
        [
            Column("From", "from", Shape.SHORT),
            Column("Kind", "kind", Shape.SHORT),
            Column("Text", "text", Shape.MAIN, beneath="id"),
            Column("Speaker", "speaker"),
            Column("ID", "id", Shape.SHORT),
        ],
    )
