"""The integrity checks of a fact base: well-formed unique ids, real dates, references that
resolve, verbatim text, aliases no two people share, excerpts that stand in their archived
source. They read typed records a batch at a time (``IntegrityChecker``), so that a base
larger than memory is checked too; a whole base is fed the same way.
"""

from __future__ import annotations

import array
import bisect
import itertools
import operator
import sys
import typing
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple, Protocol

import msgspec

from karabakh_cli import model
from karabakh_cli.base.checks import NumberedRecords
from karabakh_cli.base.problems import JsonPath, Problem, Severity
from karabakh_cli.text import contains_verbatim, fold, fold_each, normalise_quoting


class Location(msgspec.Struct, frozen=True):
    """Where in the file a problem is: a record, and a field within it (down to a list item)."""

    collection: str
    index: int
    record_id: str
    within: JsonPath = ()
    """The path inside the record, e.g. ``("actors", 2)``; empty for the record as a whole."""

    @property
    def kind(self) -> model.RecordKind:
        return model.KIND_BY_COLLECTION[self.collection].name

    def at(self, *within: str | int) -> Location:
        """The same record, at a field or list item inside it."""
        return msgspec.structs.replace(self, within=(*self.within, *within))

    def problem(self, message: str, severity: Severity = "error") -> Problem:
        field = "".join(
            f"[{step}]" if isinstance(step, int) else f".{step}" for step in self.within
        ).lstrip(".")
        path = (self.collection, self.index, *self.within)
        record = f"{self.collection}[{self.index}]"
        return Problem(message, path, record, self.record_id, field, severity)


# Every problem is found with a key that places it where the whole-base checks list it: by
# check (the sections below), then by record in the order of the kinds table and the file.
# Records may come in any order of collections, so problems are sorted once, at the end.
SortKey = tuple[int, ...]
_IDS, _DATES, _REFERENCES, _VERBATIM, _ALIASES, _UNUSED = range(6)
_RANK: dict[model.RecordKind, int] = {kind.name: rank for rank, kind in enumerate(model.KINDS)}
# References are checked field by field, in the order the kinds table first names each field,
# so that every record's source is checked first: the loader names the first problem found.
_FIELD_RANK: dict[str, int] = {
    field: rank
    for rank, field in enumerate(
        dict.fromkeys(reference.field for kind in model.KINDS for reference in kind.references)
    )
}
# References not yet resolved are pruned of those resolved since once there are this many, and
# then each time they double: a base whose quotes answer later quotes stays small.
_UNRESOLVED_PRUNED_AT = 65_536


class _ReferenceAt(NamedTuple):
    """A reference to an id, where it is: a problem if no record of its kind has the id, or
    if it names the record holding it."""

    rank: int
    record_index: int
    record_id: str
    reference: model.Reference
    position: int
    """The position in a list of ids; 0 for a field holding one id."""
    target: str


class _Unresolved:
    """One field's references to ids no record of the target kind had when they were fed,
    compactly: the index of each record and the list position in machine integers, and the
    id interned (a base fed quotes first has a million references to a few thousand ids)."""

    def __init__(self) -> None:
        self.indexes = array.array("q")
        self.positions = array.array("q")
        self.targets: list[str] = []

    def __len__(self) -> int:
        return len(self.targets)

    def add(self, index: int, position: int, target: str) -> None:
        self.indexes.append(index)
        self.positions.append(position)
        self.targets.append(sys.intern(target))

    def prune(self, known: set[str]) -> None:
        """Drop the references resolved since: their ids are ``known`` now."""
        kept = list(itertools.filterfalse(lambda at: self.targets[at] in known, range(len(self))))
        self.indexes = array.array("q", map(self.indexes.__getitem__, kept))
        self.positions = array.array("q", map(self.positions.__getitem__, kept))
        self.targets = list(map(self.targets.__getitem__, kept))

    def __iter__(self) -> Iterator[tuple[int, int, str]]:
        return zip(self.indexes, self.positions, self.targets, strict=True)


def _sorted(found: list[tuple[SortKey, Problem]]) -> list[Problem]:
    return [problem for _, problem in sorted(found, key=operator.itemgetter(0))]


class _FedIds:
    """The ids of one kind's records in the order fed, and where in the collection each is:
    a list and a set of the id strings, no number per record."""

    def __init__(self) -> None:
        self.known: set[str] = set()
        self.in_order: list[str] = []
        self.runs: list[tuple[int, int]] = []
        """(position in ``in_order``, index in the collection) where each run of consecutive
        indexes starts: a record that failed to decode leaves a gap."""

    def add(self, first_index: int, ids: list[str]) -> None:
        if not self.runs or self._next_index() != first_index:
            self.runs.append((len(self.in_order), first_index))
        self.in_order += ids
        self.known.update(ids)

    def _next_index(self) -> int:
        position, index = self.runs[-1]
        return index + len(self.in_order) - position

    def id_at(self, index: int) -> str:
        """The id of the record at ``index`` in the collection, once fed."""
        run = bisect.bisect_right(self.runs, index, key=operator.itemgetter(1)) - 1
        position, first_index = self.runs[run]
        return self.in_order[position + index - first_index]

    def indexed(self) -> Iterator[tuple[int, str]]:
        """Each id fed, with its index in the collection."""
        ends = [position for position, _ in self.runs[1:]] + [len(self.in_order)]
        # Not strict: with nothing fed there are no runs, and the one end is left over.
        for (position, index), end in zip(self.runs, ends, strict=False):
            ids = map(self.in_order.__getitem__, range(position, end))
            yield from zip(itertools.count(index), ids)


class _RecordChecks:
    """The integrity checks, fed a batch of records of one kind at a time.

    Each record's own checks (id form, date, verbatim text, self links) run as it is fed;
    what spans records keeps only ids, never records: every id in the order fed, the ids
    used twice, the folded spellings of names, the references not yet resolved, and the
    records nothing has referred to yet.
    """

    def __init__(self, *, warn: bool) -> None:
        self.warn = warn
        self.found: list[tuple[SortKey, Problem]] = []
        self.ids: dict[model.RecordKind, _FedIds] = {kind.name: _FedIds() for kind in model.KINDS}
        self.duplicated: set[str] = set()
        warned = [kind.name for kind in model.KINDS if kind.unused_warning and warn]
        self.unused: dict[model.RecordKind, set[str]] = {name: set() for name in warned}
        """Of the kinds worth a warning, the ids fed that nothing has referred to yet."""
        self.used_early: dict[model.RecordKind, set[str]] = {name: set() for name in warned}
        """Ids referred to before a record of the kind had them."""
        self.owner_of: dict[str, str] = {}
        """Each folded spelling of a name, with the id of the first person it names."""
        self.unresolved: dict[tuple[int, model.Reference], _Unresolved] = {}
        """By the kind's rank and the reference, the references that named no record yet."""
        self.prune_at = _UNRESOLVED_PRUNED_AT

    def report(self, key: SortKey, location: Location, message: str) -> None:
        self.found.append((key, location.problem(message)))

    def feed(
        self, kind: model.KindOfRecord, first_index: int, records: Sequence[model.Record]
    ) -> None:
        rank = _RANK[kind.name]
        ids = [record.id for record in records]
        self._ids(kind, rank, first_index, ids)
        if kind.dated:
            self._dates(kind, rank, first_index, records)
        for reference in kind.references:
            self._references(kind, rank, first_index, records, ids, reference)
        if kind.verbatim:
            self._verbatim(kind, rank, first_index, records)
        if kind.struct is model.Person:
            self._aliases(first_index, typing.cast("Sequence[model.Person]", records))
        if kind.struct is model.Source:
            self._urls(rank, first_index, typing.cast("Sequence[model.Source]", records))

    def _urls(self, rank: int, first_index: int, sources: Sequence[model.Source]) -> None:
        """Every source's url an absolute URL, as the published schema has it."""
        for index, source in enumerate(sources, first_index):
            if source.url is not None and not model.URL_FORM.fullmatch(source.url):
                location = Location("sources", index, source.id).at("url")
                message = f"must be an absolute URL such as https://example.org/report, got {source.url!r}"
                self.report((_DATES, rank, index), location, message)

    def _ids(self, kind: model.KindOfRecord, rank: int, first_index: int, ids: list[str]) -> None:
        """Every id well-formed and used once in the whole base."""
        fed = self.ids[kind.name]
        if kind.name in self.unused:
            new = set(ids).difference(fed.known, self.used_early[kind.name])
            self.unused[kind.name].update(new)
        if not (
            all(map(model.ID_FORM.fullmatch, ids))
            and len(set(ids)) == len(ids)
            and all(other.known.isdisjoint(ids) for other in self.ids.values())
        ):
            in_batch: set[str] = set()
            for index, record_id in enumerate(ids, first_index):
                if not model.ID_FORM.fullmatch(record_id):
                    message = f"must be a record id (lower-case letters, digits and hyphens), got {record_id!r}"
                    self.report(
                        (_IDS, rank, index, 0), _id_location(rank, index, record_id), message
                    )
                if record_id in in_batch or any(
                    record_id in other.known for other in self.ids.values()
                ):
                    self.duplicated.add(record_id)
                in_batch.add(record_id)
        fed.add(first_index, ids)

    def _dates(
        self,
        kind: model.KindOfRecord,
        rank: int,
        first_index: int,
        records: Sequence[model.Record],
    ) -> None:
        for index, record in enumerate(records, first_index):
            try:
                model.parse_partial_date(typing.cast("model.Quote | model.Event", record).date)
            except ValueError as error:
                location = Location(kind.collection, index, record.id).at("date")
                self.report((_DATES, rank, index), location, str(error))

    def _references(
        self,
        kind: model.KindOfRecord,
        rank: int,
        first_index: int,
        records: Sequence[model.Record],
        ids: list[str],
        reference: model.Reference,
    ) -> None:
        """Each reference names a record of its kind, now or by the end, and none its own."""
        values = list(map(operator.attrgetter(reference.field), records))
        targets = list(itertools.chain.from_iterable(values)) if reference.many else values
        known = self.ids[reference.target].known
        resolved = all(map(known.__contains__, targets))
        if reference.target in self.unused and reference.counts_as_use:
            self.unused[reference.target].difference_update(targets)
            if not resolved:
                self.used_early[reference.target].update(
                    itertools.filterfalse(known.__contains__, targets)
                )
        links_to_itself = operator.contains if reference.many else operator.eq
        if resolved and not (
            reference.target == kind.name and any(map(links_to_itself, values, ids))
        ):
            return
        unresolved = self.unresolved.setdefault((rank, reference), _Unresolved())
        for index, (record_id, value) in enumerate(zip(ids, values, strict=True), first_index):
            for position, target in enumerate(value) if reference.many else [(0, value)]:
                if target not in known:
                    unresolved.add(index, position, target)
                elif target == record_id and reference.target == kind.name:
                    reference_at = _ReferenceAt(rank, index, record_id, reference, position, target)
                    self.report(
                        _reference_key(reference_at, 1),
                        _reference_location(reference_at),
                        f"a {reference.target} cannot link to itself",
                    )
        if sum(map(len, self.unresolved.values())) > self.prune_at:
            for (_, pruned), references in self.unresolved.items():
                references.prune(self.ids[pruned.target].known)
            self.prune_at = max(_UNRESOLVED_PRUNED_AT, 2 * sum(map(len, self.unresolved.values())))

    def _verbatim(
        self,
        kind: model.KindOfRecord,
        rank: int,
        first_index: int,
        records: Sequence[model.Record],
    ) -> None:
        for index, record in enumerate(records, first_index):
            quoted = typing.cast("model.Quote | model.Term", record)
            if not contains_verbatim(quoted.excerpt, quoted.text):
                location = Location(kind.collection, index, record.id).at("text")
                self.report(
                    (_VERBATIM, rank, index),
                    location,
                    "text does not occur verbatim in the excerpt",
                )

    def _aliases(self, first_index: int, people: Sequence[model.Person]) -> None:
        """No spelling names two people; the first person in the file keeps it.

        People are fed in the order of the file, so the first to claim a spelling owns it.
        """
        spellings = [(person.name, *person.aliases) for person in people]
        folded = fold_each(list(itertools.chain.from_iterable(spellings)))
        ids = [person.id for person in people]
        owners = list(
            itertools.chain.from_iterable(map(itertools.repeat, ids, map(len, spellings)))
        )
        # A batch whose spellings are all new to the base and to each other has nothing to
        # report: it is checked in a few calls rather than a loop over its people.
        claims = dict(zip(folded, owners, strict=True))
        if len(claims) == len(folded) and self.owner_of.keys().isdisjoint(claims):
            self.owner_of.update(claims)
            return
        collection = model.KIND["person"].collection
        for index, person in enumerate(people, first_index):
            for position, name in enumerate([person.name, *person.aliases]):
                owner = self.owner_of.setdefault(fold(name), person.id)
                if owner != person.id:
                    location = Location(collection, index, person.id)
                    at_name = (
                        location.at("name")
                        if position == 0
                        else location.at("aliases", position - 1)
                    )
                    self.report(
                        (_ALIASES, index, position), at_name, f"{name!r} already names {owner!r}"
                    )

    def finish(self) -> list[Problem]:
        """Every problem found, in the order the checks list them for the whole base."""
        self._duplicates()
        for (rank, reference), unresolved in self.unresolved.items():
            known = self.ids[reference.target].known
            fed = self.ids[model.KINDS[rank].name]
            for index, position, target in unresolved:
                if target not in known:
                    record_id = fed.id_at(index)
                    reference_at = _ReferenceAt(rank, index, record_id, reference, position, target)
                    self.report(
                        _reference_key(reference_at, 0),
                        _reference_location(reference_at),
                        f"no {reference.target} has the id {target!r}",
                    )
        if self.warn:
            self._unused()
        return _sorted(self.found)

    def _duplicates(self) -> None:
        """Each use of an id after its first in the order of the base, named with the first."""
        if not self.duplicated:
            return
        first_use: dict[str, tuple[int, int]] = {}
        for rank, kind in enumerate(model.KINDS):
            for index, record_id in self.ids[kind.name].indexed():
                if record_id not in self.duplicated:
                    continue
                first_rank, first_index = first_use.setdefault(record_id, (rank, index))
                if (first_rank, first_index) != (rank, index):
                    first = f"{model.KINDS[first_rank].collection}[{first_index}]"
                    message = f"duplicate id {record_id!r}, first used by {first}"
                    self.report(
                        (_IDS, rank, index, 1), _id_location(rank, index, record_id), message
                    )

    def _unused(self) -> None:
        """Warnings: a record of a kind worth one that nothing refers to (as a use)."""
        for kind_name, unused in self.unused.items():
            kind = model.KIND[kind_name]
            rank = _RANK[kind_name]
            for index, record_id in self.ids[kind_name].indexed() if unused else ():
                if record_id in unused:
                    location = Location(kind.collection, index, record_id)
                    warning = location.problem(str(kind.unused_warning), "warning")
                    self.found.append(((_UNUSED, rank, index), warning))


def _id_location(rank: int, index: int, record_id: str) -> Location:
    return Location(model.KINDS[rank].collection, index, record_id).at("id")


def _reference_key(reference_at: _ReferenceAt, problem: int) -> SortKey:
    """Field by field, then record by record; a dangling reference before a self link."""
    field = _FIELD_RANK[reference_at.reference.field]
    return (
        _REFERENCES,
        field,
        reference_at.rank,
        reference_at.record_index,
        reference_at.position,
        problem,
    )


def _reference_location(reference_at: _ReferenceAt) -> Location:
    location = Location(
        model.KINDS[reference_at.rank].collection, reference_at.record_index, reference_at.record_id
    )
    at_field = location.at(reference_at.reference.field)
    return at_field.at(reference_at.position) if reference_at.reference.many else at_field


class _WaitingExcerpts:
    """Excerpts citing one source id, fed before the sources: where each is, and the excerpt
    as written, in UTF-8 (half the size of a str holding one curly quotation mark), decoded
    and normalised only if the source has an archived text to look in."""

    def __init__(self) -> None:
        self.ranks = array.array("b")
        self.indexes = array.array("q")
        self.record_ids: list[str] = []
        self.excerpts: list[bytes] = []

    def add(self, rank: int, index: int, record_id: str, excerpt: str) -> None:
        self.ranks.append(rank)
        self.indexes.append(index)
        self.record_ids.append(record_id)
        self.excerpts.append(excerpt.encode())

    def __iter__(self) -> Iterator[tuple[int, int, str, str]]:
        excerpts = (excerpt.decode() for excerpt in self.excerpts)
        return zip(self.ranks, self.indexes, self.record_ids, excerpts, strict=True)


class _ArchiveChecks:
    """Each source's archived text, read once as its source is fed, and every excerpt citing
    the source found in that text.

    Collections come whole, one after another: an excerpt fed before any source waits (its
    location, source id and excerpt) until the sources come; one fed after them is checked
    at once against the texts kept.
    """

    def __init__(self, folder: Path, *, warn: bool) -> None:
        self.folder = folder
        self.warn = warn
        self.found: list[tuple[SortKey, Problem]] = []
        self.texts: dict[str, list[tuple[int, str, str]]] = {}
        """Each source id's archived texts, quoting normalised: (source index, text, message)."""
        self.waiting: dict[str, _WaitingExcerpts] = {}
        """Excerpts fed before the sources, by the source id they cite."""
        self.sources_fed = False
        self.sources_done = False

    def feed(
        self, kind: model.KindOfRecord, first_index: int, records: Sequence[model.Record]
    ) -> None:
        if kind.struct is model.Source:
            for index, source in enumerate(records, first_index):
                self._source(index, typing.cast("model.Source", source))
            self.sources_fed = True
            return
        if self.sources_fed and not self.sources_done:
            self.sources_done = True
            self.waiting.clear()
        if not any(reference.field == "source" for reference in kind.references):
            return
        rank = _RANK[kind.name]
        for index, record in enumerate(records, first_index):
            cited = typing.cast("model.SourcedRecord", record)
            if not self.sources_done:
                waiting = self.waiting.setdefault(sys.intern(cited.source), _WaitingExcerpts())
                waiting.add(rank, index, cited.id, cited.excerpt)
            elif texts := self.texts.get(cited.source):
                excerpt = normalise_quoting(cited.excerpt)
                for source_index, text, message in texts:
                    self._excerpt(source_index, text, message, (rank, index, cited.id, excerpt))

    def _source(self, index: int, source: model.Source) -> None:
        # Imported here: the loader imports this module, and a lookup never reads an archive.
        from karabakh_cli.base import archive

        collection = model.KIND["source"].collection
        record = f"{collection}[{index}]"
        if source.archive is None:
            if self.warn:
                message = "no archived text: excerpts citing this source are not checked"
                warning = Problem(
                    message, (collection, index), record, source.id, severity="warning"
                )
                self.found.append(((index, 0), warning))
            return
        try:
            text = archive.read_text(self.folder, source.archive)
        except archive.ArchiveError as error:
            where = (collection, index, "archive")
            message = str(error)
            if isinstance(error, archive.ArchiveChanged):
                fix = f"kb --facts PATH edit {source.id} --text {self.folder / source.archive.path}"
                message += f"; if the new text is right, archive it again: {fix}"
            self.found.append(((index, 0), Problem(message, where, record, source.id, "archive")))
            # A changed text is still read: the curator learns which excerpts the change breaks.
            if not isinstance(error, archive.ArchiveChanged) or error.text is None:
                return
            text = error.text
        normalised = normalise_quoting(text)
        message = (
            f"excerpt does not occur verbatim in the archived text of {source.id!r} "
            f"({source.archive.path})"
        )
        self.texts.setdefault(source.id, []).append((index, normalised, message))
        for rank, cited_index, record_id, excerpt in self.waiting.get(source.id, ()):
            cited = (rank, cited_index, record_id, normalise_quoting(excerpt))
            self._excerpt(index, normalised, message, cited)

    def _excerpt(
        self, source_index: int, text: str, message: str, cited: tuple[int, int, str, str]
    ) -> None:
        rank, index, record_id, excerpt = cited
        if excerpt not in text:
            location = Location(model.KINDS[rank].collection, index, record_id).at("excerpt")
            self.found.append(((source_index, 1, rank, index), location.problem(message)))

    def finish(self) -> list[Problem]:
        return _sorted(self.found)


class IntegrityChecker:
    """The integrity checks (and, given the base's folder, the archive checks) of a base fed
    a batch of records at a time, in bounded memory: ``finish`` returns what
    ``integrity_problems`` and ``archive_problems`` return for the whole base, in their order.

    Each collection comes whole, in any order of collections, its batches in the order of
    the file; records that failed the typed decode are left out.
    """

    def __init__(
        self, *, warn: bool, folder: Path | None = None, more: Sequence[Checker] = ()
    ) -> None:
        self._records = _RecordChecks(warn=warn)
        self._archives = None if folder is None else _ArchiveChecks(folder, warn=warn)
        self._more = more

    def feed(
        self, kind: model.KindOfRecord, first_index: int, records: Sequence[model.Record]
    ) -> None:
        """Check records of one ``kind``, the first of them at ``first_index`` in its
        collection and the others after it."""
        self._records.feed(kind, first_index, records)
        if self._archives is not None:
            self._archives.feed(kind, first_index, records)
        for checker in self._more:
            checker.feed(kind, first_index, records)

    def finish(self) -> list[Problem]:
        """Every problem found, once all records are fed."""
        problems = self._records.finish()
        if self._archives is not None:
            problems += self._archives.finish()
        for checker in self._more:
            problems += checker.finish()
        return problems


Feed = Callable[[model.KindOfRecord, int, Sequence[model.Record]], None]


class Checker(Protocol):
    """A check of a layer above, fed the records as the integrity checks are: a batch of
    one kind at a time, then asked for what it found (the attribution check is one)."""

    def feed(
        self, kind: model.KindOfRecord, first_index: int, records: Sequence[model.Record]
    ) -> None: ...

    def finish(self) -> list[Problem]: ...


def more_problems(records: NumberedRecords, more: Sequence[Checker]) -> list[Problem]:
    """What the checks ``more`` find in a whole base."""
    problems: list[Problem] = []
    for checker in more:
        _feed_whole(checker.feed, records)
        problems += checker.finish()
    return problems


def _feed_whole(feed: Feed, records: NumberedRecords) -> None:
    """Each collection in runs of consecutive indexes: a record that failed to decode is a gap."""
    for kind in model.KINDS:
        indexed_records = records.by_collection[kind.collection]
        if not indexed_records:
            continue
        if indexed_records[-1][0] == len(indexed_records) - 1:
            feed(kind, 0, [record for _, record in indexed_records])
            continue
        runs = itertools.groupby(enumerate(indexed_records), key=lambda pair: pair[1][0] - pair[0])
        for _, run in runs:
            batch = [indexed_record for _, indexed_record in run]
            feed(kind, batch[0][0], [record for _, record in batch])


def integrity_problems(records: NumberedRecords, *, warn: bool = True) -> list[Problem]:
    """Problems between records: ids, references, dates, verbatim text, shared aliases.

    Warnings (when ``warn``) mark what is legal but likely a slip: a source or person that
    nothing refers to.
    """
    checks = _RecordChecks(warn=warn)
    _feed_whole(checks.feed, records)
    # A record with a bad field is still there for the records naming it.
    for kind in model.KINDS:
        checks.ids[kind.name].known.update(records.ill_formed_ids.get(kind.collection, ()))
    return checks.finish()


def archive_problems(records: NumberedRecords, folder: Path, *, warn: bool = True) -> list[Problem]:
    """Each source's archived text read from ``folder`` and matched against its SHA-256, and
    every excerpt citing the source found in that text.

    A source with no archive is a warning (when ``warn``): its excerpts go unchecked.
    """
    checks = _ArchiveChecks(folder, warn=warn)
    _feed_whole(checks.feed, records)
    return checks.finish()
