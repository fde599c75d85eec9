"""Records found by id, as a person types one: in any case, with the nearest ids when none
has it; what can be cited instead; completions of ids and names; a record's passage in its
source. Never prints."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process, utils

from karabakh_cli.lookup import match
from karabakh_cli.lookup.loaded import LoadedBase
from karabakh_cli.model import (
    CITABLE_KINDS,
    KIND,
    CitableRecord,
    Record,
    RecordKind,
    SourcedRecord,
)
from karabakh_cli.text import fold, listed

if TYPE_CHECKING:
    from karabakh_cli.base.archive import Passage


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
