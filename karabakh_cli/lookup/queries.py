"""The lookups behind each command, over a loaded fact base. Never prints."""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from rapidfuzz import fuzz, process, utils

from karabakh_cli.lookup import answers, attribution, match, searching
from karabakh_cli.model import (
    CITABLE_KINDS,
    COLLECTIONS,
    KIND,
    KIND_BY_COLLECTION,
    SEARCHED_KINDS,
    CitableRecord,
    Event,
    FactBase,
    PartialDate,
    Person,
    Quote,
    Record,
    RecordKind,
    Source,
    SourcedRecord,
    parse_partial_date,
)
from karabakh_cli.text import fold, listed

if TYPE_CHECKING:
    from karabakh_cli.base.archive import Passage

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


class QuoteLookup(msgspec.Struct, frozen=True):
    """What a name found: the speakers it matched, their quotes, or the nearest names.

    ``unquoted`` says the name matched only people the fact base holds no quote of (not
    merely none the filters let through), so "showing" them would show nothing.
    """

    speakers: list[match.NameMatch]
    quotes: list[Quote]
    nearest: list[match.NameMatch]
    unquoted: bool = False

    def notes(self, name: str, *, filtered: bool) -> list[str]:
        """What to tell the person about the lookup of ``name`` besides its quotes: no speaker,
        several equally good, an inexact match, or no quotes (``filtered``: by --since, --until
        or --place)."""
        notes: list[str] = []
        if not self.speakers:
            nearest = ", ".join(found.person.name for found in self.nearest)
            hint = f"nearest known speakers: {nearest}" if nearest else "'kb people' lists everyone"
            notes.append(f"no speaker matches {name!r}; {hint}")
        elif (explanation := self.explanation(name)) is not None:
            notes.append(explanation)
        elif len(self.speakers) > 1:
            names = ", ".join(found.person.name for found in self.speakers[:5])
            if len(self.speakers) > 5:
                names += f" and {len(self.speakers) - 5} more"
            notes.append(
                f"{name!r} matches {len(self.speakers)} people equally well: {names}; showing each"
            )
        elif self.speakers[0].score < match.EXACT:
            best = self.speakers[0]
            notes.append(
                f"no exact match for {name!r}; showing {best.person.name} (matched {best.matched!r}, score {best.score:.0f})"
            )
        if self.speakers and not self.quotes and not self.unquoted:
            names = " or ".join(found.person.name for found in self.speakers)
            notes.append(
                f"no quotes of {names}{' match these filters' if filtered else ' in the fact base'}"
            )
        return notes

    @property
    def title(self) -> str:
        """The listing's title: whose quotes these are."""
        if not self.speakers:
            return "Quotes"
        return "Quotes of " + ", ".join(found.person.name for found in self.speakers)

    def explanation(self, name: str) -> str | None:
        """Why the lookup shows no quotes although ``name`` matched someone, in plain words."""
        if not self.speakers or not self.unquoted:
            return None
        names = ", ".join(found.person.name for found in self.speakers)
        if len(self.speakers) == 1:
            return f"{name!r} matches {names}, whom the fact base never quotes"
        return f"{name!r} matches {names}, none of whom the fact base quotes"


def quotes_by(facts: LoadedBase, name: str, filters: Filters) -> QuoteLookup:
    """The quotes of the speaker(s) ``name`` matches, grouped by speaker, in date order."""
    chosen = match.named_people(name, facts.content.people)
    ids = {found.person.id for found in chosen}
    order = {found.person.id: rank for rank, found in enumerate(chosen)}
    quotes = sorted(
        (
            quote
            for quote in facts.content.quotes
            if quote.speaker in ids
            and filters.admits_date(quote.date)
            and filters.admits_place(quote.place)
        ),
        key=lambda quote: (order[quote.speaker], parse_partial_date(quote.date)),
    )
    nearest = [] if chosen else match.suggested_people(name, facts.speakers())
    speaking = {quote.speaker for quote in facts.content.quotes}
    unquoted = bool(chosen) and ids.isdisjoint(speaking)
    return QuoteLookup(chosen, quotes, nearest, unquoted)


def timeline(facts: LoadedBase, filters: Filters) -> list[Event]:
    """Events in date order; a coarser date comes before the days within it."""
    return sorted(
        (
            event
            for event in facts.content.events
            if filters.admits_date(event.date) and filters.admits_place(event.where)
        ),
        key=lambda event: parse_partial_date(event.date),
    )


def timeline_notes(events: list[Event], filters: Filters) -> list[str]:
    """What to tell the person about a timeline besides its events: why there are none."""
    if events:
        return []
    return ["no events match these filters" if filters.given else "the fact base records no events"]


class SearchHit(msgspec.Struct, frozen=True):
    """A record a search found: ``text`` is the whole text searched, ``snippet`` the stretch
    of it around the match."""

    kind: RecordKind
    record: SourcedRecord
    score: float
    snippet: str
    text: str


# About this many characters of context either side of a match, rounded to whole words.
_SNIPPET_CONTEXT = 40


def _snippet(text: str, start: int, end: int, context: int = _SNIPPET_CONTEXT) -> str:
    """The match with some context, cut at word boundaries and marked … where text is left out.

    Only a single word longer than the context is cut within itself.
    """
    left = max(0, start - context)
    if left and (space := text.find(" ", left, start)) >= 0:
        left = space + 1
    right = min(len(text), end + context)
    if right < len(text) and (space := text.rfind(" ", end, right)) >= 0:
        right = space
    return f"{'…' if left else ''}{text[left:right].strip()}{'…' if right < len(text) else ''}"


def _searchable(
    facts: LoadedBase, kinds: Iterable[RecordKind], filters: Filters
) -> list[tuple[RecordKind, SourcedRecord, str]]:
    wanted = set(kinds)
    undated = filters.since is None and filters.until is None
    searched = facts.coverage.searched
    return [
        (kind.name, record, kind.searchable(record))
        for name in SEARCHED_KINDS
        if name in wanted
        and ((kind := KIND[name]).dated or undated)
        and kind.searchable is not None
        for record in getattr(facts.content, kind.collection)
        if (not kind.dated or filters.admits_date(record.date))
        and (searched is None or record.id in searched)
    ]


def search(
    facts: LoadedBase, query: str, kinds: Iterable[RecordKind], filters: Filters, limit: int | None
) -> tuple[list[SearchHit], int]:
    """Records whose text holds every word of ``query`` (fuzzily), best first, at most
    ``limit`` of them, and how many matched in all."""
    searchable = _searchable(facts, kinds, filters)
    hits, total = searching.search_texts(query, [text for _, _, text in searchable], limit)
    found = [
        SearchHit(
            searchable[hit.index][0],
            searchable[hit.index][1],
            hit.score,
            _snippet(searchable[hit.index][2], hit.start, hit.end),
            searchable[hit.index][2],
        )
        for hit in hits
    ]
    return found, total + facts.coverage.left_out


def search_notes(query: str, shown: int, total: int) -> list[str]:
    """What to tell the person about a search besides its hits: none, or only the best."""
    if not shown:
        return [f"nothing in the fact base matches {query!r}"]
    if total > shown:
        return [f"showing the best {shown} of {total} hits; --limit 0 shows all"]
    return []


class Attribution(msgspec.Struct, frozen=True):
    """The quotes a fragment comes from, scoring at least ``threshold``, best first; and when
    there are none, the closest quote, which is not a match."""

    found: list[attribution.Scored]
    closest: attribution.Scored | None
    threshold: float = attribution.WHO_SAID_THRESHOLD


def who_said(facts: LoadedBase, fragment: str, filters: Filters) -> Attribution:
    """Every quote scoring at least the who-said threshold as the source of ``fragment``."""
    quotes = [quote for quote in facts.content.quotes if filters.admits_date(quote.date)]
    scored = attribution.who_said(fragment, quotes) if quotes else []
    found = [item for item in scored if item.score >= attribution.WHO_SAID_THRESHOLD]
    found += answers.standing_inside(
        fragment, (item for item in scored if item.score < attribution.WHO_SAID_THRESHOLD)
    )
    return Attribution(found, None if found or not scored else scored[0])


# A refusal shows this much of the closest quote: enough to recognise it on one line.
_REFUSAL_EXCERPT = 100


def refusal(facts: LoadedBase, fragment: str, outcome: Attribution) -> str | None:
    """Why who-said names no one, with the closest quote shown as what it is: not a match."""
    if outcome.found:
        return None
    threshold = f"{outcome.threshold:.0f}"
    message = f"no quote in the fact base matches {fragment!r}: none scores {threshold} or more"
    closest = outcome.closest
    if closest is None:
        return message
    speaker = facts.people[closest.quote.speaker].name
    shown = _snippet(closest.quote.text, 0, 0, context=_REFUSAL_EXCERPT)
    lacking = attribution.lacking_names(fragment, closest.quote.text)
    lacks = f" (it has no word for {', '.join(map(repr, lacking))})" if lacking else ""
    return (
        f"{message}; the closest, NOT a match, scores {closest.score:.0f}{lacks}: "
        f"{speaker}, “{shown}” ({closest.quote.id})"
    )


class Involvement(msgspec.Struct, frozen=True):
    person: Person
    quotes: int
    terms: int
    events: int


class InvolvementCounter:
    """How many quotes, terms and events involve each person (a quote its speaker, a term
    or event each of its actors once), counted a collection's records at a time: for kb
    people, from a whole base or while one is indexed."""

    def __init__(self) -> None:
        self.quotes: Counter[str] = Counter()
        self.terms: Counter[str] = Counter()
        self.events: Counter[str] = Counter()

    def add(self, collection: str, records: Iterable[Record]) -> None:
        if collection == "quotes":
            self.quotes.update(record.speaker for record in records)  # type: ignore[attr-defined]
        elif collection in ("terms", "events"):
            getattr(self, collection).update(
                actor
                for record in records
                for actor in set(record.actors)  # type: ignore[attr-defined]
            )

    def of(self, person_id: str) -> tuple[int, int, int]:
        """The quotes, terms and events that involve ``person_id``."""
        return self.quotes[person_id], self.terms[person_id], self.events[person_id]


def involvement_of_everyone(facts: LoadedBase) -> Iterator[Involvement]:
    """Everyone in the base with how many quotes, terms and events involve them, one by one."""
    if facts.coverage.involvement is not None:
        yield from facts.coverage.involvement()
        return
    counts = InvolvementCounter()
    for collection in ("quotes", "terms", "events"):
        counts.add(collection, getattr(facts.content, collection))
    for person in facts.content.people:
        yield Involvement(person, *counts.of(person.id))


def contributions(facts: LoadedBase) -> list[tuple[Source, Counter[str]]]:
    """Each source with how many records of each kind cite it."""
    counts: dict[str, Counter[str]] = {source.id: Counter() for source in facts.content.sources}
    for kind, record in facts.records.values():
        cited = getattr(record, "source", None)
        if cited in counts:
            counts[cited][kind] += 1
    return [(source, counts[source.id]) for source in facts.content.sources]


def find_record(facts: LoadedBase, record_id: str) -> tuple[RecordKind, Record] | None:
    """The record with this id, written in any case: ids are lower case, people type them in
    capitals too."""
    found = facts.records.get(record_id)
    if found is None:
        found = facts.records_by_folded_id.get(record_id.casefold())
    return found


# An id is offered as "nearest" only when it scores this much (rapidfuzz WRatio): the id
# holds what was typed nearly whole ("putin" in q-putin-mediation, 90), or is it with about
# one typo in eight letters (q-putin-mediaton, 97). Ids that merely share their kind's
# prefix and a few letters ("q-putin-mediaton" against q-defender-no-celebration) score 86,
# and a word no id resembles ("nothing") under 60.
NEAREST_ID_THRESHOLD = 88


def nearest_ids(
    facts: LoadedBase, wanted: str, limit: int = 3, *, citable: bool = False
) -> list[str]:
    """The record ids (only of citable records, if asked) close in spelling to ``wanted``, in
    any case, closest first; none when no id is close enough to be what was meant."""
    ids = [
        record_id
        for record_id, (_, record) in facts.records.items()
        if not citable or isinstance(record, CitableRecord)
    ]
    found = process.extract(
        wanted,
        ids,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=NEAREST_ID_THRESHOLD,
        limit=limit,
    )
    return [record_id for record_id, _, _ in found]


def missing_id_note(facts: LoadedBase, record_id: str) -> str:
    """Why ``record_id`` found nothing, with the ids close to it or where to look instead."""
    return f"no record has the id {record_id!r}; {_nearest(nearest_ids(facts, record_id))}"


def _nearest(ids: list[str]) -> str:
    """The ids close to one that was not found, or where to look when none is."""
    if ids:
        return f"nearest: {', '.join(ids)}"
    return "no id is close to it ('kb search WORDS' finds records by their words)"


def uncitable_note(facts: LoadedBase, record_id: str, kind: RecordKind | None) -> str:
    """Why ``record_id`` (of ``kind``, if it names a record) cannot be cited, and what to cite."""
    what = (
        f"only {listed([KIND[name].collection for name in CITABLE_KINDS])} can be cited, "
        f"not a {kind}"
        if kind
        else "no record has the id"
    )
    suggestions = citable_suggestions(facts, record_id)
    if suggestions:
        instead = f"cite instead: {', '.join(suggestions)}"
    elif kind:
        instead = "'kb search WORDS' finds the quotes, terms and events to cite"
    else:
        instead = _nearest([])
    return f"{what} {record_id!r}; {instead}"


def passage(facts: LoadedBase, record: Record) -> tuple[Passage | None, str | None]:
    """Where a record's excerpt stands in its source's archived text, or, when that cannot be
    known, None and (for a record citing a source) why not."""
    from karabakh_cli.base import archive

    if not isinstance(record, SourcedRecord):
        return None, None
    try:
        return archive.passage_of(facts.path, facts.sources[record.source], record.excerpt), None
    except archive.ArchiveError as error:
        return None, f"no context for {record.id}: {error}"


def citable_suggestions(facts: LoadedBase, wanted: str, limit: int = 3) -> list[str]:
    """Ids to cite instead of ``wanted``: a person's own quotes, terms and events when it
    is (or is close to) a person's id, else the citable ids close in spelling; none when
    nothing is close."""
    found = find_record(facts, wanted)
    if found is None and (closest := nearest_ids(facts, wanted, 1)):
        found = facts.records[closest[0]]
    if found is not None and found[0] == "person":
        person_id = found[1].id
        involving = [quote.id for quote in facts.content.quotes if quote.speaker == person_id]
        involving += [
            record.id
            for collection in (facts.content.terms, facts.content.events)
            for record in collection
            if person_id in record.actors
        ]
        if involving:
            return involving[:limit]
    return nearest_ids(facts, wanted, limit, citable=True)


class Dispute(msgspec.Struct, frozen=True):
    relation: str
    quote: Quote
    other: Quote


def disputes(facts: LoadedBase) -> list[Dispute]:
    """Every curated link between two quotes, in file order."""
    return [
        Dispute(relation, quote, facts.quotes[target])
        for quote in facts.content.quotes
        for relation, targets in (
            ("contradicts", quote.contradicts),
            ("responds to", quote.responds_to),
        )
        for target in targets
    ]


def disputes_notes(found: list[Dispute]) -> list[str]:
    """What to tell the person about the disputes besides them: that there are none."""
    return [] if found else ["the fact base records no disputes"]


def id_completions(facts: LoadedBase, incomplete: str) -> list[str]:
    """The record ids starting like ``incomplete`` in any case, as find_record reads them,
    for shell completion: each spelled from the very characters typed on, since shells keep
    only candidates that start with them, and runs as inserted."""
    typed = incomplete.casefold()
    if len(typed) != len(incomplete):
        return []  # a letter that folds to several (ß) leaves no "typed on" to spell from
    return [
        incomplete + record_id[len(typed) :]
        for record_id in facts.records
        if record_id.startswith(typed)
    ]


_NAME_WORD = re.compile(r"\w+")


def _completed(word: str, incomplete: str) -> str | None:
    """``word`` completing ``incomplete`` ignoring case and accents, spelled from what was
    typed on (``pu`` -> ``putin``), since shells keep only candidates that start with it."""
    wanted = fold(incomplete)
    if not fold(word).startswith(wanted):
        return None
    for typed_length in range(len(word) + 1):
        if fold(word[:typed_length]) == wanted:
            return incomplete + word[typed_length:]
    return None


def name_completions(facts: LoadedBase, typed: list[str], incomplete: str) -> list[str]:
    """The next word of a speaker's name or alias, for shell completion: any word of a
    spelling that holds every word typed before, starting like ``incomplete``.

    Completing one word at a time inserts no spaces, so what the shell inserts runs as it
    stands: a name is several arguments, and kb joins them.
    """
    before = {fold(word) for word in typed}
    found: dict[str, None] = {}
    for person in facts.speakers():
        for spelling in (person.name, *person.aliases):
            words = _NAME_WORD.findall(spelling)
            if not before <= {fold(word) for word in words}:
                continue
            for word in filter(match.picks_out_someone, words):
                completed = None if fold(word) in before else _completed(word, incomplete)
                if completed is not None:
                    found.setdefault(completed)
    return list(found)
