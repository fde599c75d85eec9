"""Records turned into what every output format shows: JSON-ready rows and table columns.

Each row is the object ``--json`` prints, with names resolved (a quote carries its speaker's
name and role and its source's title and date). Each column says what the table, plain and
markdown views show of a row. The field names are documented in docs/output.md and tested
against it.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import msgspec

from karabakh_cli.lookup import loaded, queries
from karabakh_cli.lookup.loaded import LoadedBase
from karabakh_cli.model import (
    KINDS,
    CitableRecord,
    Event,
    Person,
    Quote,
    Record,
    RecordKind,
    Source,
    Term,
    parse_partial_date,
)
from karabakh_cli.text import find_verbatim

if TYPE_CHECKING:
    # Only show needs the archive module, and only show imports it.
    from karabakh_cli.base.archive import Passage
    from karabakh_cli.curate import diffing
    from karabakh_cli.index.loading import Description
    from karabakh_cli.lookup import answers

Row = dict[str, Any]


class Shape(enum.Enum):
    """How the table view lays a column out."""

    MAIN = "main"
    """The text the listing is about: takes the room the other columns leave."""
    SHORT = "short"
    """A date, number, score, kind or yes/no: never wraps."""
    TEXT = "text"
    """Wraps between words, never narrower than its longest word."""


class Column(msgspec.Struct, frozen=True):
    """A column of a listing: its header and the row field it shows (dotted for nested)."""

    header: str
    field: str
    shape: Shape = Shape.TEXT
    """How the table view lays it out; the other formats show every column alike."""
    beneath: str | None = None
    """A field the table view shows on a line of its own under this one (the record's id,
    kept whole), instead of in a column of its own."""
    omit_if_stated: bool = False
    """Left out of the table view when every row holds the same value and the title or the
    caption already states it (the speaker under "Quotes of Vladimir Putin")."""
    written: Callable[[Any], str] | None = None
    """How the views write the field's value when not as ``cell`` does."""
    plain: bool = True
    """Whether --format plain writes it. Scripts read plain rows by position, an order fixed
    once (docs/output.md): a column added later is shown to people, and named in CSV and JSON."""

    def value(self, row: Row) -> str:
        value: Any = row
        for step in self.field.split("."):
            value = value.get(step) if isinstance(value, dict) else None
        return self.written(value) if self.written and value is not None else cell(value)


def cell(value: Any) -> str:
    """A row value as one line of text: yes/no, nested objects by their names, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(
            cell(item) for key, item in value.items() if key != "id" and item is not None
        )
    if isinstance(value, list):
        return "; ".join(
            cell(item.get("name", item.get("id")) if isinstance(item, dict) else item)
            for item in value
        )
    return str(value)


class Marker(msgspec.Struct, frozen=True):
    """A sign the table view and the web page put after a record's main text when ``field``
    is not empty, explained once under the table, instead of a column of ids."""

    field: str
    sign: str
    meaning: str
    on_the_page: str = ""
    """The meaning on the web page when it differs; a page's reader cannot run kb, so a
    marker with one puts a numbered footnote on the page: the field's text, or what
    ``footnote`` makes of the row."""
    footnote: Callable[[Row], str] | None = None
    when: str | None = None
    """The value of ``field`` that gives the sign; None: any value but an empty one."""

    def marks(self, row: Row) -> str | None:
        """The text the sign stands for in ``row`` (its footnote's, by default), or None
        where the row gets no sign."""
        value: Any = row
        for step in self.field.split("."):
            value = value.get(step) if isinstance(value, dict) else None
        if self.when is not None:
            return self.meaning if value == self.when else None
        return value or None


NOTE_MARKER = Marker(
    "note", "†", "a note explains it: kb show ID", "a note explains it: see the numbered notes"
)
CONTRADICTED_MARKER = Marker(
    "contradicts",
    "≠",
    "another quote contradicts it: kb disputes",
    "another quote contradicts it: see the numbered notes",
)


def contradicted_marker(facts: LoadedBase) -> Marker:
    """The ≠ sign; on the page its footnote names the contradicting quotes, as the page's
    reader cannot run kb disputes."""

    def contradicting(row: Row) -> str:
        quotes = map(facts.quotes.__getitem__, row["contradicts"])
        named = (
            f"{facts.people[quote.speaker].name}: “{quote.text}” ({quote.id})" for quote in quotes
        )
        return "contradicted by " + "; ".join(named)

    return msgspec.structs.replace(CONTRADICTED_MARKER, footnote=contradicting)


class Listing(msgspec.Struct, frozen=True, dict=True):
    """What one command found, ready for any format.

    ``vertical`` shows one record as field/value pairs; ``highlight`` marks, per row, a
    stretch of one column's text (the quote within its excerpt); ``markers`` are the signs
    the table view and the web page give records.
    """

    title: str
    rows: Iterable[Row]
    """Every row: a list, or, for a listing that may be too long to hold, an iterator making
    each row as it is written, read once. The rows of an iterator all have the same fields:
    a CSV header is then its first row's."""
    columns: list[Column]
    vertical: bool = False
    highlight: Callable[[Row], tuple[str, int, int] | None] | None = None
    markers: tuple[Marker, ...] = ()
    cites: Callable[[list[Row]], tuple[str, ...]] | None = None
    """The sources rows cite, for the lines under a table (a partial cited_sources)."""
    legend: tuple[str, ...] = ()
    """Lines under a table that say how to read it (what a partial date's place means)."""
    page_title: str | None = None
    """The title of a page or picture, which is shared beyond this machine, where ``title``
    names a local path (None: the title)."""

    @functools.cached_property
    def held_rows(self) -> list[Row]:
        """Every row in memory, as a table's column widths need (an iterator read once)."""
        return self.rows if isinstance(self.rows, list) else list(self.rows)

    def held(self) -> Listing:
        """This listing with its rows in memory, for writing them more than once."""
        return msgspec.structs.replace(self, rows=self.held_rows)

    @functools.cached_property
    def sources(self) -> tuple[str, ...]:
        """'Le Monde, “Title”, 2023-09-21' for each source the rows cite."""
        return self.cites(self.held_rows) if self.cites else ()


def cited_sources(facts: LoadedBase, rows: list[Row]) -> tuple[str, ...]:
    """'Le Monde, “Title”, 2023-09-21' for each source ``rows`` cite, in first-seen order,
    the title as citations write it (Source.title_in_text)."""
    # The translation's caveat travels with every answer quoting a translated source: its
    # "verbatim" is the translation's wording.
    from karabakh_cli.output.citation import translation_phrase

    cited = {reference["id"]: None for row in rows for reference in _source_refs(row)}
    return tuple(
        f"{source.publisher}, {source.title_in_text}, {source.date}"
        + (f" ({phrase})" if (phrase := translation_phrase(source)) else "")
        for source in map(facts.sources.__getitem__, cited)
    )


def _source_refs(row: Row) -> Iterator[Row]:
    """The source references in a row, also inside nested objects (both sides of a dispute)."""
    for key, value in row.items():
        if isinstance(value, dict):
            if key == "source":
                yield value
            else:
                yield from _source_refs(value)


def source_ref(facts: LoadedBase, source_id: str) -> Row:
    source = facts.sources[source_id]
    return {
        "id": source.id,
        "title": source.title,
        "publisher": source.publisher,
        "date": source.date,
    }


def person_ref(facts: LoadedBase, person_id: str) -> Row:
    person = facts.people[person_id]
    return {"id": person.id, "name": person.name, "role": person.role}


def quote_row(facts: LoadedBase, quote: Quote) -> Row:
    return {
        "id": quote.id,
        "speaker": person_ref(facts, quote.speaker),
        "text": quote.text,
        "date": quote.date,
        "place": quote.place,
        "medium": quote.medium,
        "source": source_ref(facts, quote.source),
        "excerpt": quote.excerpt,
        "note": quote.note,
        "contradicts": facts.contradictions(quote),
        "responds_to": list(quote.responds_to),
        "responses": facts.responses(quote),
        "attribution": quote.attribution,
        "form": quote.form,
    }


QUOTE_COLUMNS = [
    Column("Date", "date", Shape.SHORT),
    Column("Speaker", "speaker.name", omit_if_stated=True),
    Column("Quote", "text", Shape.MAIN, beneath="id"),
    Column("Medium", "medium"),
    Column("Place", "place"),
    Column("Contradicts", "contradicts"),
    Column("ID", "id", Shape.SHORT),
]


INFERRED_MARKER = Marker(
    "attribution",
    "‡",
    "who spoke is the curator's reading, not the source's words; its note says why",
    when="inferred",
)


FRAGMENT_MARKER = Marker(
    "form",
    "~",
    "a fragment the source quotes inside its own reported speech, not a direct quotation",
    when="fragment",
)


def quote_markers(facts: LoadedBase) -> tuple[Marker, ...]:
    return (NOTE_MARKER, INFERRED_MARKER, FRAGMENT_MARKER, contradicted_marker(facts))


def quotes_listing(facts: LoadedBase, title: str, quotes: list[Quote]) -> Listing:
    rows = (quote_row(facts, quote) for quote in quotes)
    return Listing(
        title,
        rows,
        QUOTE_COLUMNS,
        markers=quote_markers(facts),
        cites=functools.partial(cited_sources, facts),
        legend=date_legend(quote.date for quote in quotes),
    )


def _actors(facts: LoadedBase, actor_ids: Iterable[str]) -> list[Row]:
    return [{"id": actor, "name": facts.people[actor].name} for actor in actor_ids]


def term_row(facts: LoadedBase, term: Term, number: int | None = None) -> Row:
    return {
        "number": number,
        "id": term.id,
        "text": term.text,
        "quoted": term.quoted,
        "actors": _actors(facts, term.actors),
        "source": source_ref(facts, term.source),
        "excerpt": term.excerpt,
        "note": term.note,
    }


def terms_listing(facts: LoadedBase) -> Listing:
    rows = (
        term_row(facts, term, number) for number, term in enumerate(facts.content.terms, start=1)
    )
    columns = [
        Column("#", "number", Shape.SHORT),
        Column("Term", "text", Shape.MAIN, beneath="id"),
        Column("Quoted", "quoted", Shape.SHORT),
        Column("Source", "source.title", omit_if_stated=True),
        Column("ID", "id", Shape.SHORT),
    ]
    return Listing(
        "Ceasefire terms",
        rows,
        columns,
        markers=(NOTE_MARKER,),
        cites=functools.partial(cited_sources, facts),
    )


def event_row(facts: LoadedBase, event: Event) -> Row:
    return {
        "id": event.id,
        "date": event.date,
        "what": event.what,
        "where": event.where,
        "actors": _actors(facts, event.actors),
        "source": source_ref(facts, event.source),
        "excerpt": event.excerpt,
        "note": event.note,
    }


def date_legend(dates: Iterable[str]) -> tuple[str, ...]:
    """How to read the dates of a listing in date order, for the dates it shows."""
    parsed = [parse_partial_date(date) for date in dates]
    lines = []
    if any(date.partial for date in parsed):
        lines.append("a date of a month or a year alone comes after the days it may hold")
    if any(date.uncertain for date in parsed):
        lines.append("? after a date: the source is unsure of it")
    return tuple(lines)


def timeline_listing(facts: LoadedBase, events: list[Event]) -> Listing:
    columns = [
        Column("Date", "date", Shape.SHORT),
        Column("What", "what", Shape.MAIN, beneath="id"),
        Column("Where", "where"),
        Column("Actors", "actors"),
        Column("ID", "id", Shape.SHORT),
    ]
    rows = (event_row(facts, event) for event in events)
    return Listing(
        "Timeline",
        rows,
        columns,
        markers=(NOTE_MARKER,),
        cites=functools.partial(cited_sources, facts),
        legend=date_legend(event.date for event in events),
    )


def person_row(facts: LoadedBase, person: Person, counts: loaded.Involvement | None = None) -> Row:
    row: Row = {
        "id": person.id,
        "name": person.name,
        "kind": person.kind,
        "role": person.role,
        "aliases": list(person.aliases),
        "source": source_ref(facts, person.source),
        "excerpt": person.excerpt,
        "note": person.note,
    }
    if counts is not None:
        row |= {"quotes": counts.quotes, "terms": counts.terms, "events": counts.events}
    return row


def people_listing(facts: LoadedBase) -> Listing:
    rows = (
        person_row(facts, found.person, found) for found in queries.involvement_of_everyone(facts)
    )
    columns = [
        Column("Name", "name", Shape.MAIN, beneath="id"),
        Column("Kind", "kind", Shape.SHORT),
        Column("Role", "role"),
        Column("Aliases", "aliases"),
        Column("Quotes", "quotes", Shape.SHORT),
        Column("Terms", "terms", Shape.SHORT),
        Column("Events", "events", Shape.SHORT),
        Column("ID", "id", Shape.SHORT),
    ]
    return Listing("People", rows, columns, cites=functools.partial(cited_sources, facts))


def source_row(source: Source, counts: dict[str, int] | None = None) -> Row:
    row: Row = {
        "id": source.id,
        "title": source.title,
        "title_supplied": source.title_supplied,
        "publisher": source.publisher,
        "date": source.date,
        "language": source.language,
        "translated_from": source.translated_from,
        "translation": source.translation,
        "url": source.url,
        "archive": msgspec.to_builtins(source.archive),
        "note": source.note,
    }
    if counts is not None:
        row |= {kind: counts.get(kind, 0) for kind in ("quote", "term", "event", "person")}
    return row


def sources_listing(facts: LoadedBase) -> Listing:
    # A list, not a stream: a source's row has archive fields only when it has an archive,
    # and a streamed CSV takes its header from the first row.
    rows = [source_row(source, counts) for source, counts in queries.contributions(facts)]
    columns = [
        Column("Publisher", "publisher"),
        Column("Title", "title", Shape.MAIN, beneath="id"),
        Column("Date", "date", Shape.SHORT),
        Column("Language", "language", Shape.SHORT),
        Column("Quotes", "quote", Shape.SHORT),
        Column("Terms", "term", Shape.SHORT),
        Column("Events", "event", Shape.SHORT),
        Column("People", "person", Shape.SHORT),
        Column("ID", "id", Shape.SHORT),
    ]
    # A page is shared: it names the base's file, not where it lies on this machine.
    return Listing(
        f"Sources in {facts.path}", rows, columns, page_title=f"Sources in {facts.path.name}"
    )


def search_row(facts: LoadedBase, hit: queries.SearchHit) -> Row:
    """A search hit: the snippet for reading, the full text and (for a quote) the speaker for
    a script."""
    row: Row = {
        "kind": hit.kind,
        "id": hit.record.id,
        "score": hit.score,
        "snippet": hit.snippet,
        "date": getattr(hit.record, "date", None),
        "source": source_ref(facts, hit.record.source),
        "text": hit.text,
    }
    if isinstance(hit.record, Quote):
        row["speaker"] = person_ref(facts, hit.record.speaker)
    return row


def search_listing(facts: LoadedBase, query: str, hits: list[queries.SearchHit]) -> Listing:
    rows = [search_row(facts, hit) for hit in hits]
    columns = [
        Column("Score", "score", Shape.SHORT),
        Column("Kind", "kind", Shape.SHORT),
        Column("Match", "snippet", Shape.MAIN, beneath="id"),
        # Who said it: a quote's words are read with their speaker.
        Column("Speaker", "speaker.name", plain=False),
        Column("Date", "date", Shape.SHORT),
        Column("ID", "id", Shape.SHORT),
    ]
    return Listing(f"Search: {query}", rows, columns, cites=functools.partial(cited_sources, facts))


def who_said_listing(
    facts: LoadedBase,
    fragment: str,
    found: list[answers.Verdict],
    named: answers.NamedSpeaker | None = None,
) -> Listing:
    """who-said's answers: each quote with the verdict on the reader's words (verbatim, the
    whole quote inside the question, or altered with the words changed), the score after;
    for a question naming a speaker, whether that speaker said it (null: kb does not know
    whom the name means)."""
    named_ids = None if named is None else {person.id for person in named.people}

    def said_by_named(quote: Quote) -> dict[str, bool | None]:
        if named_ids is None:
            return {}
        return {"said_by_named": quote.speaker in named_ids if named_ids else None}

    rows = [
        {
            "match": verdict.match,
            "changes": verdict.changes,
            **said_by_named(verdict.found.quote),
            "score": verdict.found.score,
            **quote_row(facts, verdict.found.quote),
        }
        for verdict in found
    ]
    columns = [
        Column("Match", "match", Shape.SHORT),
        Column("Speaker", "speaker.name"),
        Column("Quote", "text", Shape.MAIN, beneath="id"),
        Column("Changes", "changes"),
        Column("Score", "score", Shape.SHORT),
        Column("Date", "date", Shape.SHORT),
        Column("Medium", "medium"),
        Column("ID", "id", Shape.SHORT),
    ]
    return Listing(
        f"Who said: {fragment}",
        rows,
        columns,
        markers=quote_markers(facts),
        cites=functools.partial(cited_sources, facts),
    )


def disputes_listing(facts: LoadedBase, found: list[queries.Dispute]) -> Listing:
    def side(quote: Quote) -> Row:
        return {
            "id": quote.id,
            "speaker": person_ref(facts, quote.speaker),
            "text": quote.text,
            "date": quote.date,
            "source": source_ref(facts, quote.source),
        }

    rows = [
        {"relation": item.relation, "quote": side(item.quote), "other": side(item.other)}
        for item in found
    ]
    columns = [
        Column("Speaker", "quote.speaker.name"),
        Column("Says", "quote.text", Shape.MAIN, beneath="quote.id"),
        Column("Relation", "relation", Shape.SHORT),
        Column("Other speaker", "other.speaker.name"),
        Column("Other says", "other.text", Shape.MAIN, beneath="other.id"),
    ]
    return Listing("Disputes", rows, columns, cites=functools.partial(cited_sources, facts))


_ROW_OF_KIND: dict[RecordKind, Callable[[LoadedBase, Any], Row]] = {
    "source": lambda _, source: source_row(source),
    "person": person_row,
    "quote": quote_row,
    "term": lambda facts, term: term_row(facts, term, facts.content.terms.index(term) + 1),
    "event": event_row,
}
"""Each kind's row in full, as ``kb show`` prints it."""


def record_row(facts: LoadedBase, kind: RecordKind, record: Record) -> Row:
    """One record in full, whatever its kind."""
    return {"kind": kind, **_ROW_OF_KIND[kind](facts, record)}


def _highlight(row: Row) -> tuple[str, int, int] | None:
    """The quote (or, for a record without one, the excerpt) in the context, or the quote
    in its excerpt where there is no context."""
    text, excerpt, context = row.get("text"), row.get("excerpt"), row.get("context")
    if isinstance(context, str):
        marked = text if isinstance(text, str) else excerpt
        found = find_verbatim(context, marked) if isinstance(marked, str) else None
        return ("context", *found) if found else None
    if not isinstance(text, str) or not isinstance(excerpt, str):
        return None
    # Most texts stand exactly in their excerpt; matching up to quotation marks and
    # whitespace is the slow path.
    start = excerpt.find(text)
    if start >= 0:
        return "excerpt", start, start + len(text)
    found = find_verbatim(excerpt, text)
    return ("excerpt", *found) if found else None


def _cited_source(facts: LoadedBase) -> Callable[[Row], str]:
    """A record's source as its Source field shows it: the title as citations write it (a
    supplied one in brackets, as under the table), then publisher and date."""

    def written(reference: Row) -> str:
        source = facts.sources[reference["id"]]
        return f"{source.cited_title}, {source.publisher}, {source.date}"

    return written


def show_listing(
    facts: LoadedBase, kind: RecordKind, record: Record, passage: Passage | None
) -> Listing:
    """One record field by field; a record citing a source gains ``context``, the sentences
    around its excerpt in the archived text, and ``selector``, where the excerpt stands there
    (both null when the archive cannot tell)."""
    row = record_row(facts, kind, record)
    if "excerpt" in row:
        row["context"] = passage.context if passage else None
        row["selector"] = passage.selector() if passage else None
    # The selector is for other tools: the table marks the same passage in the context.
    # The title names the kind and the id, so the table view leaves those rows out.
    columns = [
        Column(
            key.replace("_", " ").capitalize(),
            key,
            omit_if_stated=key in {"kind", "id"},
            written=_cited_source(facts) if key == "source" else None,
        )
        for key in row
        # A quote's form is shown when it is not the usual, as the file leaves it out then.
        if key != "selector" and not (key == "form" and row[key] == "direct")
    ]
    return Listing(
        f"{kind.capitalize()} {record.id}",
        [row],
        columns,
        vertical=True,
        highlight=_highlight,
        cites=functools.partial(cited_sources, facts),
    )


def index_listing(found: Description | None) -> Listing:
    """`kb index`: one row saying where the index is, what it covers and its size; no row
    when there is no index (JSON is then an empty array, as for any listing)."""
    keys = ["index", "base", "bytes", *(kind.collection for kind in KINDS)]
    rows: list[Row] = []
    if found is not None:
        rows.append(
            {"index": found.file, "base": found.base, "bytes": found.bytes, **found.records}
        )
        keys = list(rows[0])
    columns = [Column(key.capitalize(), key) for key in keys]
    return Listing("Index", rows, columns, vertical=True)


def index_removed_listing(removed: str | None) -> Listing:
    """`kb index --clear`: the index file removed, or no row when there was none."""
    return Listing(
        "Removed", [{"removed": removed}] if removed else [], [Column("Removed", "removed")]
    )


def citation_listing(facts: LoadedBase, cited: list[tuple[RecordKind, CitableRecord]]) -> Listing:
    """The records' citations, a row each, for kb cite's listing formats."""
    from karabakh_cli.output import citation

    rows: list[Row] = [
        {
            "id": record.id,
            "kind": kind,
            "citation": citation.citation_text(facts, record),
            "note": record.note,
        }
        for kind, record in cited
    ]
    title = ", ".join(record.id for _, record in cited)
    return Listing(f"Citation of {title}", rows, [Column("Citation", "citation")])


def differences_listing(old_label: str, new_label: str, found: list[diffing.Difference]) -> Listing:
    """The differences as rows for every output format."""
    rows: list[Row] = [msgspec.structs.asdict(difference) for difference in found]
    columns = [
        Column("Change", "change"),
        Column("Kind", "kind"),
        Column("ID", "id"),
        Column("Field", "field"),
        Column("Old", "old"),
        Column("New", "new"),
    ]
    return Listing(f"Changes from {old_label} to {new_label}", rows, columns)
