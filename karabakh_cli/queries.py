"""The lookups behind each command, over a loaded fact base. Never prints."""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

import msgspec
from rapidfuzz import fuzz, process

from karabakh_cli import match
from karabakh_cli.model import (
    COLLECTIONS,
    KIND_OF_COLLECTION,
    Cited,
    Event,
    FactBase,
    PartialDate,
    Person,
    Quote,
    Record,
    RecordKind,
    Source,
    parse_partial_date,
)
from karabakh_cli.text import fold

# A --place value matches a place holding something this similar (partial ratio).
PLACE_THRESHOLD = 85


class Facts(msgspec.Struct, frozen=True, dict=True):
    """A loaded fact base with its lookups by id."""

    base: FactBase
    path: Path

    @functools.cached_property
    def people(self) -> dict[str, Person]:
        return {person.id: person for person in self.base.people}

    @functools.cached_property
    def sources(self) -> dict[str, Source]:
        return {source.id: source for source in self.base.sources}

    @functools.cached_property
    def quotes(self) -> dict[str, Quote]:
        return {quote.id: quote for quote in self.base.quotes}

    @functools.cached_property
    def records(self) -> dict[str, tuple[RecordKind, Record]]:
        """Every record by id, with its kind (ids are unique across the whole base)."""
        return {
            record.id: (KIND_OF_COLLECTION[collection], record)
            for collection in COLLECTIONS
            for record in getattr(self.base, collection)
        }

    def speakers(self) -> list[Person]:
        """People with at least one quote."""
        speaking = {quote.speaker for quote in self.base.quotes}
        return [person for person in self.base.people if person.id in speaking]

    def contradictions(self, quote: Quote) -> list[str]:
        """Quotes this one contradicts or is contradicted by: the link is curated on one side
        and holds both ways."""
        return [*quote.contradicts, *self._linked_from[("contradicts", quote.id)]]

    def responses(self, quote: Quote) -> list[str]:
        """Quotes that respond to this one."""
        return self._linked_from[("responds_to", quote.id)]

    @functools.cached_property
    def _linked_from(self) -> defaultdict[tuple[str, str], list[str]]:
        """The curated links read backwards: (link, target id) -> the quotes that link to it."""
        inverse: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
        for quote in self.base.quotes:
            if not (quote.contradicts or quote.responds_to):
                continue
            for link in ("contradicts", "responds_to"):
                for target in getattr(quote, link):
                    inverse[(link, target)].append(quote.id)
        return inverse


class Filters(msgspec.Struct, frozen=True):
    """--since, --until and --place, as the commands that take them apply them."""

    since: PartialDate | None = None
    until: PartialDate | None = None
    place: str | None = None

    def admits_date(self, date: str) -> bool:
        """Whether a record of ``date`` may fall within --since and --until (inclusive)."""
        if self.since is None and self.until is None:
            return True
        when = parse_partial_date(date)
        if self.since and when.covers_end() < self.since.covers_start():
            return False
        return not (self.until and when.covers_start() > self.until.covers_end())

    def admits_place(self, place: str | None) -> bool:
        if self.place is None:
            return True
        return (
            place is not None
            and fuzz.partial_ratio(fold(self.place), fold(place)) >= PLACE_THRESHOLD
        )


class QuoteLookup(msgspec.Struct, frozen=True):
    """What a name found: the speakers it matched, their quotes, or the nearest names."""

    speakers: list[match.NameMatch]
    quotes: list[Quote]
    nearest: list[match.NameMatch]


def quotes_by(facts: Facts, name: str, filters: Filters) -> QuoteLookup:
    """The quotes of the speaker(s) ``name`` matches, grouped by speaker, in date order."""
    chosen = match.named_people(name, facts.base.people)
    ids = {found.person.id for found in chosen}
    order = {found.person.id: rank for rank, found in enumerate(chosen)}
    quotes = sorted(
        (
            quote
            for quote in facts.base.quotes
            if quote.speaker in ids
            and filters.admits_date(quote.date)
            and filters.admits_place(quote.place)
        ),
        key=lambda quote: (order[quote.speaker], parse_partial_date(quote.date)),
    )
    nearest = [] if chosen else match.suggested_people(name, facts.speakers())
    return QuoteLookup(chosen, quotes, nearest)


def timeline(facts: Facts, filters: Filters) -> list[Event]:
    """Events in date order; a coarser date comes before the days within it."""
    return sorted(
        (
            event
            for event in facts.base.events
            if filters.admits_date(event.date) and filters.admits_place(event.where)
        ),
        key=lambda event: parse_partial_date(event.date),
    )


class SearchHit(msgspec.Struct, frozen=True):
    kind: RecordKind
    record: Cited
    score: float
    snippet: str


_SNIPPET_CONTEXT = 40


def _snippet(text: str, start: int, end: int) -> str:
    left = max(0, start - _SNIPPET_CONTEXT)
    right = min(len(text), end + _SNIPPET_CONTEXT)
    return f"{'…' if left else ''}{text[left:right]}{'…' if right < len(text) else ''}"


def _searchable(
    facts: Facts, kinds: Iterable[RecordKind], filters: Filters
) -> list[tuple[RecordKind, Cited, str]]:
    texts: list[tuple[RecordKind, Cited, str]] = []
    wanted = set(kinds)
    if "quote" in wanted:
        texts += [
            ("quote", quote, quote.text)
            for quote in facts.base.quotes
            if filters.admits_date(quote.date)
        ]
    if "term" in wanted and filters.since is None and filters.until is None:
        texts += [("term", term, term.text) for term in facts.base.terms]
    if "event" in wanted:
        texts += [
            ("event", event, f"{event.what} ({event.where})" if event.where else event.what)
            for event in facts.base.events
            if filters.admits_date(event.date)
        ]
    if "person" in wanted and filters.since is None and filters.until is None:
        texts += [
            (
                "person",
                person,
                " · ".join([person.name, *person.aliases, *([person.role] if person.role else [])]),
            )
            for person in facts.base.people
        ]
    return texts


def search(
    facts: Facts, query: str, kinds: Iterable[RecordKind], filters: Filters, limit: int | None
) -> tuple[list[SearchHit], int]:
    """Records whose text holds every word of ``query`` (fuzzily), best first, at most
    ``limit`` of them, and how many matched in all."""
    searchable = _searchable(facts, kinds, filters)
    hits, total = match.search_texts(query, [text for _, _, text in searchable], limit)
    found = [
        SearchHit(
            searchable[hit.index][0],
            searchable[hit.index][1],
            hit.score,
            _snippet(searchable[hit.index][2], hit.start, hit.end),
        )
        for hit in hits
    ]
    return found, total


def attribute(facts: Facts, fragment: str, filters: Filters) -> list[match.Scored]:
    """Every quote scored as the source of ``fragment``, best first."""
    quotes = [quote for quote in facts.base.quotes if filters.admits_date(quote.date)]
    return match.who_said(fragment, quotes) if quotes else []


class Involvement(msgspec.Struct, frozen=True):
    person: Person
    quotes: int
    terms: int
    events: int


def involvement(facts: Facts) -> list[Involvement]:
    """Everyone in the base with how many quotes, terms and events involve them."""
    quotes = Counter(quote.speaker for quote in facts.base.quotes)
    terms = Counter(actor for term in facts.base.terms for actor in set(term.actors))
    events = Counter(actor for event in facts.base.events for actor in set(event.actors))
    return [
        Involvement(person, quotes[person.id], terms[person.id], events[person.id])
        for person in facts.base.people
    ]


def contributions(facts: Facts) -> list[tuple[Source, Counter[str]]]:
    """Each source with how many records of each kind cite it."""
    counts: dict[str, Counter[str]] = {source.id: Counter() for source in facts.base.sources}
    for kind, record in facts.records.values():
        cited = getattr(record, "source", None)
        if cited in counts:
            counts[cited][kind] += 1
    return [(source, counts[source.id]) for source in facts.base.sources]


def nearest_ids(facts: Facts, wanted: str, limit: int = 3) -> list[str]:
    """The record ids closest in spelling to ``wanted``."""
    found = process.extract(wanted, list(facts.records), scorer=fuzz.WRatio, limit=limit)
    return [record_id for record_id, _, _ in found]


class Dispute(msgspec.Struct, frozen=True):
    relation: str
    quote: Quote
    other: Quote


def disputes(facts: Facts) -> list[Dispute]:
    """Every curated link between two quotes, in file order."""
    return [
        Dispute(relation, quote, facts.quotes[target])
        for quote in facts.base.quotes
        for relation, targets in (
            ("contradicts", quote.contradicts),
            ("responds to", quote.responds_to),
        )
        for target in targets
    ]
