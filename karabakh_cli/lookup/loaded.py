"""A fact base as a lookup is given it: its records by id, what it leaves out (a partial base
from the index), and the filters commands apply to it. Never prints."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
from rapidfuzz import fuzz

from karabakh_cli.model import (
    COLLECTIONS,
    KIND_BY_COLLECTION,
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


class Coverage(msgspec.Struct, frozen=True):
    """What a partial base leaves out, said as data for the lookups whose answer depends on
    it. A base read whole leaves out nothing; the index, which reads only the records a lookup
    can reach, fills in what it knows of the rest."""

    searched: frozenset[str] | None = None
    """The ids of the records a search scores, when the others are there only for the rows
    to show; None: score every record."""
    left_out: int = 0
    """Hits a search leaves out and counts: those whose score is known past the first
    ``limit``, and those scored lower than ``limit`` better ones."""
    involvement: Callable[[], Iterator[Involvement]] | None = None
    """Everyone's involvement as counted when the base was indexed, for a partial base that
    holds none of the records to count; None where they are there to count."""


class LoadedBase(msgspec.Struct, frozen=True, dict=True):
    """A loaded fact base with its lookups by id."""

    content: FactBase
    path: Path
    coverage: Coverage = msgspec.field(default_factory=Coverage)
    """What ``content`` leaves out that a lookup must know of: nothing, for a base read whole."""

    @functools.cached_property
    def people(self) -> dict[str, Person]:
        return {person.id: person for person in self.content.people}

    @functools.cached_property
    def sources(self) -> dict[str, Source]:
        return {source.id: source for source in self.content.sources}

    @functools.cached_property
    def quotes(self) -> dict[str, Quote]:
        return {quote.id: quote for quote in self.content.quotes}

    @functools.cached_property
    def records_by_folded_id(self) -> dict[str, tuple[RecordKind, Record]]:
        """Every record by its id in lower case, for ids typed in another case."""
        return {record_id.casefold(): found for record_id, found in self.records.items()}

    @functools.cached_property
    def records(self) -> dict[str, tuple[RecordKind, Record]]:
        """Every record by id, with its kind (ids are unique across the whole base)."""
        return {
            record.id: (KIND_BY_COLLECTION[collection].name, record)
            for collection in COLLECTIONS
            for record in getattr(self.content, collection)
        }

    def speakers(self) -> list[Person]:
        """People with at least one quote."""
        speaking = {quote.speaker for quote in self.content.quotes}
        return [person for person in self.content.people if person.id in speaking]

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
        for quote in self.content.quotes:
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

    @classmethod
    def of(cls, since: str | None, until: str | None, place: str | None = None) -> Filters:
        """The filters of --since, --until and --place as typed (ValueError for a malformed
        date). A range no date can fall in is refused too: silently answering it would look
        like the base holding nothing there, or, with partial dates, like a match."""
        first = parse_partial_date(since) if since else None
        last = parse_partial_date(until) if until else None
        if first and last and first.covers_start() > last.covers_end():
            raise ValueError(f"{since} is after {until}, so no date is in that range")
        return cls(first, last, place)

    @property
    def given(self) -> bool:
        """Whether any filter was given: "nothing matches" then means the filters' doing."""
        return self.since is not None or self.until is not None or self.place is not None

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


class Involvement(msgspec.Struct, frozen=True):
    person: Person
    quotes: int
    terms: int
    events: int
