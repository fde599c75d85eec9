"""The lookups behind each command, over a loaded fact base. Never prints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

import msgspec

from karabakh_cli.lookup import attribution, match, searching
from karabakh_cli.lookup.loaded import Filters, Involvement, LoadedBase
from karabakh_cli.model import (
    KIND,
    SEARCHED_KINDS,
    Event,
    Quote,
    Record,
    RecordKind,
    Source,
    SourcedRecord,
    parse_partial_date,
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
        key=lambda quote: (order[quote.speaker], parse_partial_date(quote.date).chronological()),
    )
    nearest = [] if chosen else match.suggested_people(name, facts.speakers())
    speaking = {quote.speaker for quote in facts.content.quotes}
    unquoted = bool(chosen) and ids.isdisjoint(speaking)
    return QuoteLookup(chosen, quotes, nearest, unquoted)


def every_quote(facts: LoadedBase, filters: Filters) -> list[Quote]:
    """Every quote the filters let through, in date order (PartialDate.chronological: a month
    after its days); quotes of one date keep the order of the file."""
    return sorted(
        (
            quote
            for quote in facts.content.quotes
            if filters.admits_date(quote.date) and filters.admits_place(quote.place)
        ),
        key=lambda quote: parse_partial_date(quote.date).chronological(),
    )


def every_quote_notes(quotes: list[Quote], filters: Filters) -> list[str]:
    """What to tell the person about a listing of every quote besides its rows: why it is
    empty."""
    if quotes:
        return []
    return ["no quotes match these filters" if filters.given else "the fact base holds no quotes"]


def timeline(facts: LoadedBase, filters: Filters) -> list[Event]:
    """Events in date order (PartialDate.chronological: a month or a year after the days it
    may hold, never before them)."""
    return sorted(
        (
            event
            for event in facts.content.events
            if filters.admits_date(event.date) and filters.admits_place(event.where)
        ),
        key=lambda event: parse_partial_date(event.date).chronological(),
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
    # Imported by the lookup that needs it: the verdict's diff (difflib) is who-said's alone.
    from karabakh_cli.lookup import answers

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
    # A question pasted whole from an article is named by its start: one line, not a page.
    named = (
        fragment if len(fragment) <= _REFUSAL_EXCERPT else f"{fragment[: _REFUSAL_EXCERPT - 1]}…"
    )
    message = f"no quote in the fact base matches {named!r}: none scores {threshold} or more"
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
