"""Every check of a fact base: its structure against the model, then its integrity.

Structure checks read the decoded JSON field by field against the structs in ``model``, so
they report every problem and never drift from what the loader accepts. Integrity checks
read typed records: well-formed unique ids, real dates, references that resolve, verbatim
text, aliases no two people share.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
import typing
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from karabakh_cli import model
from karabakh_cli.problems import JsonPath, Problem, Severity
from karabakh_cli.text import contains_verbatim, fold, normalise_quoting

_MSGSPEC_WHERE = re.compile(r"\[(\d+)\]|\.([^.\[]+)")


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    names = {dict: "object", list: "array", str: "string", int: "number", float: "number"}
    return names.get(type(value), "null")


def _humanise(message: str, field_type: object, value: object) -> str:
    """msgspec's message for a bad value, in the words a curator editing JSON uses."""
    if message.startswith("Expected `str` of length >= 1"):
        return "must not be empty"
    if message.startswith("Invalid enum value"):
        literal = typing.get_args(field_type)
        return f"must be one of {', '.join(map(repr, literal))}, got {value!r}"
    if message.startswith("Expected"):
        return f"expected {message.split('`')[1]}, got {_describe(value)}"
    return message[0].lower() + message[1:]


def _field_problems(
    value: object,
    field: msgspec.structs.FieldInfo,
    path: JsonPath,
    record: str,
    record_id: str | None,
) -> Iterator[Problem]:
    """The problem with one field's value, if any, named down to the list item."""
    try:
        msgspec.convert(value, field.type)
    except msgspec.ValidationError as error:
        message, _, where = str(error).partition(" - at `$")
        where = where.rstrip("`")
        sub_path = tuple(
            int(index) if index else key for index, key in _MSGSPEC_WHERE.findall(where)
        )
        item_type = typing.get_args(field.type)[0] if sub_path else field.type
        yield Problem(
            _humanise(message, item_type, _at(value, sub_path)),
            path + sub_path,
            record,
            record_id,
            field.encode_name + where,
        )


def _at(value: Any, sub_path: JsonPath) -> object:
    for step in sub_path:
        value = value[step]
    return value


def _object_problems(
    raw: object,
    struct: type[msgspec.Struct],
    path: JsonPath,
    record: str,
    collections: Mapping[str, type[msgspec.Struct]] | None = None,
) -> Iterator[Problem]:
    """Missing, unknown and mistyped fields of one JSON object read as ``struct``.

    ``collections`` names the fields holding lists of records, which are checked record by
    record so that every record's problems are found.
    """
    if not isinstance(raw, dict):
        where = "at the top level" if not path else "for a record"
        yield Problem(f"expected a JSON object {where}, got {_describe(raw)}", path, record)
        return
    record_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    fields = msgspec.structs.fields(struct)
    for field in fields:
        name = field.encode_name
        if name not in raw:
            if field.required:
                yield Problem(f"missing required field {name!r}", path, record, record_id)
            continue
        value = raw[name]
        if collections and name in collections and isinstance(value, list):
            for index, item in enumerate(value):
                yield from _object_problems(
                    item, collections[name], (*path, name, index), f"{name}[{index}]"
                )
        else:
            yield from _field_problems(value, field, (*path, name), record, record_id)
    known = {field.encode_name for field in fields}
    for key in raw:
        if key not in known:
            yield Problem(f"unknown field {key!r}", (*path, key), record, record_id, str(key))


def structure_problems(raw: object) -> list[Problem]:
    """Every structural problem of a decoded fact base: types, missing or unknown fields."""
    return list(_object_problems(raw, model.FactBase, (), "", model.COLLECTIONS))


def first_structure_problem(raw: object, typed_error: msgspec.ValidationError) -> Problem | None:
    """The problem the typed decode stopped at, named as ``structure_problems`` names it.

    msgspec stops at the first bad value in the file and says where it is; only the record
    holding it (or the top level, records left out) is checked field by field, so a base
    with thousands of problems costs no more than one.
    """
    _, _, where = str(typed_error).partition(" - at `$")
    path = tuple(
        int(index) if index else key for index, key in _MSGSPEC_WHERE.findall(where.rstrip("`"))
    )
    if not isinstance(raw, dict):
        problems = structure_problems(raw)
    elif (
        len(path) >= 2
        and path[0] in model.COLLECTIONS
        and isinstance(records := raw.get(path[0]), list)
        and isinstance(index := path[1], int)
        and index < len(records)
    ):
        name = path[0]
        problems = list(
            _object_problems(
                records[index], model.COLLECTIONS[name], (name, index), f"{name}[{index}]"
            )
        )
    else:
        top_level = {
            key: [] if key in model.COLLECTIONS and isinstance(value, list) else value
            for key, value in raw.items()
        }
        problems = structure_problems(top_level)
    at_path = [problem for problem in problems if problem.path == path]
    return at_path[0] if at_path else problems[0] if problems else None


AnyRecord = TypeVar("AnyRecord", bound=model.Record)


def _collection_of(struct: type[model.Record]) -> str:
    return next(kind.collection for kind in model.KINDS if kind.struct is struct)


class IndexedRecords:
    """Each collection's well-formed records with their index in the file."""

    def __init__(self, by_collection: dict[str, list[tuple[int, model.Record]]]) -> None:
        self.by_collection = by_collection

    def of(self, struct: type[AnyRecord]) -> list[tuple[int, AnyRecord]]:
        """The records of one kind, named by its struct, with their indexes."""
        collection = _collection_of(struct)
        return typing.cast("list[tuple[int, AnyRecord]]", self.by_collection[collection])

    def all(self) -> Iterator[tuple[model.KindOfRecord, int, model.Record]]:
        """Every record, collection by collection, with its kind and index."""
        for kind in model.KINDS:
            for index, record in self.by_collection[kind.collection]:
                yield kind, index, record

    def citing_sources(self) -> Iterator[tuple[model.KindOfRecord, int, model.SourcedRecord]]:
        """Every record that names its source, with its kind and index."""
        return (
            (kind, index, typing.cast("model.SourcedRecord", record))
            for kind, index, record in self.all()
            if any(reference.field == "source" for reference in kind.references)
        )


def indexed(base: model.FactBase) -> IndexedRecords:
    """Each collection's records with their index in the file."""
    return IndexedRecords(
        {kind.collection: list(enumerate(getattr(base, kind.collection))) for kind in model.KINDS}
    )


def _well_formed(
    raw: dict[str, object], kind: model.KindOfRecord
) -> list[tuple[int, model.Record]]:
    items = raw.get(kind.collection)
    converted: list[tuple[int, model.Record]] = []
    for index, item in enumerate(items if isinstance(items, list) else ()):
        try:
            converted.append((index, msgspec.convert(item, kind.struct)))
        except msgspec.ValidationError:
            continue
    return converted


def indexed_from_raw(raw: dict[str, object]) -> IndexedRecords:
    """The records of a decoded fact base that are well-formed, with their index in the file,
    so that integrity is checked even where some records are broken."""
    return IndexedRecords({kind.collection: _well_formed(raw, kind) for kind in model.KINDS})


class Location(msgspec.Struct, frozen=True):
    """Where in the file a problem is: a record, and a field within it (down to a list item)."""

    collection: str
    index: int
    record_id: str
    within: JsonPath = ()
    """The path inside the record, e.g. ``("actors", 2)``; empty for the record as a whole."""

    @property
    def kind(self) -> model.RecordKind:
        return model.KIND_OF_COLLECTION[self.collection]

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


def _ids_of(records: list[model.Record]) -> Iterator[str]:
    return (record.id for record in records)


def _location(kind: model.KindOfRecord, index: int, record: model.Record) -> Location:
    return Location(kind.collection, index, record.id)


class _Integrity:
    """The integrity checks, one pass per concern, so a large base is read in tight loops."""

    def __init__(self, records: IndexedRecords) -> None:
        self.records = records
        self.problems: list[Problem] = []
        self.ids_of = {
            kind.name: {record.id for _, record in records.by_collection[kind.collection]}
            for kind in model.KINDS
        }

    def report(self, location: Location, message: str) -> None:
        self.problems.append(location.problem(message))

    def ids(self) -> None:
        """Every id well-formed and used once in the whole base."""
        ids = [record.id for _, _, record in self.records.all()]
        if len(set(ids)) == len(ids) and all(map(model.ID_FORM.fullmatch, ids)):
            return
        first_use: dict[str, tuple[str, int]] = {}
        for kind, index, record in self.records.all():
            at_id = _location(kind, index, record).at("id")
            if not model.ID_FORM.fullmatch(record.id):
                message = f"must be a record id (lower-case letters, digits and hyphens), got {record.id!r}"
                self.report(at_id, message)
            earlier = first_use.setdefault(record.id, (kind.collection, index))
            if earlier != (kind.collection, index):
                message = f"duplicate id {record.id!r}, first used by {earlier[0]}[{earlier[1]}]"
                self.report(at_id, message)

    def dates(self) -> None:
        date_of = operator.attrgetter("date")
        for kind in model.KINDS:
            if not kind.dated:
                continue
            for index, record in self.records.by_collection[kind.collection]:
                try:
                    model.parse_partial_date(date_of(record))
                except ValueError as error:
                    self.report(_location(kind, index, record).at("date"), str(error))

    def _references(self) -> Iterator[tuple[Location, model.Reference, str]]:
        """Every reference in the base: where it is, what it declares, the id it holds.

        Field by field, in the order the kinds table first names each field, so that every
        record's source is checked first: the loader names the first problem found.
        """
        fields = dict.fromkeys(
            reference.field for kind in model.KINDS for reference in kind.references
        )
        for field in fields:
            for kind in model.KINDS:
                reference = next((ref for ref in kind.references if ref.field == field), None)
                if reference is None:
                    continue
                for index, record in self.records.by_collection[kind.collection]:
                    at_field = _location(kind, index, record).at(reference.field)
                    value = getattr(record, reference.field)
                    if reference.many:
                        for position, target in enumerate(value):
                            yield at_field.at(position), reference, target
                    else:
                        yield at_field, reference, value

    @functools.cached_property
    def referenced(self) -> dict[tuple[model.RecordKind, bool], set[str]]:
        """The ids referred to, by target kind and by whether the reference counts as a use."""
        found: dict[tuple[model.RecordKind, bool], set[str]] = defaultdict(set)
        for kind in model.KINDS:
            records = [record for _, record in self.records.by_collection[kind.collection]]
            for reference in kind.references:
                values = map(operator.attrgetter(reference.field), records)
                ids = found[reference.target, reference.counts_as_use]
                if reference.many:
                    ids.update(itertools.chain.from_iterable(values))
                else:
                    ids.update(values)
        return found

    def _self_links(self) -> bool:
        for kind in model.KINDS:
            records = [record for _, record in self.records.by_collection[kind.collection]]
            for reference in kind.references:
                if reference.target != kind.name:
                    continue
                values = map(operator.attrgetter(reference.field), records)
                if reference.many and any(map(operator.contains, values, _ids_of(records))):
                    return True
                if not reference.many and any(map(operator.eq, values, _ids_of(records))):
                    return True
        return False

    def references(self) -> None:
        """Every reference names a record of its kind, and no record links to itself."""
        resolve = all(ids <= self.ids_of[target] for (target, _), ids in self.referenced.items())
        if resolve and not self._self_links():
            return
        for location, reference, target in self._references():
            if target not in self.ids_of[reference.target]:
                self.report(location, f"no {reference.target} has the id {target!r}")
            if target == location.record_id and reference.target == location.kind:
                self.report(location, f"a {reference.target} cannot link to itself")

    def verbatim(self) -> None:
        for kind in model.KINDS:
            if not kind.verbatim:
                continue
            for index, record in self.records.by_collection[kind.collection]:
                quoted = typing.cast("model.Quote | model.Term", record)
                if not contains_verbatim(quoted.excerpt, quoted.text):
                    message = "text does not occur verbatim in the excerpt"
                    self.report(_location(kind, index, record).at("text"), message)

    def aliases(self) -> None:
        owner_of: dict[str, str] = {}
        for index, person in self.records.of(model.Person):
            for position, name in enumerate([person.name, *person.aliases]):
                owner = owner_of.setdefault(fold(name), person.id)
                if owner != person.id:
                    location = _location(model.KIND["person"], index, person)
                    at_name = (
                        location.at("name")
                        if position == 0
                        else location.at("aliases", position - 1)
                    )
                    self.report(at_name, f"{name!r} already names {owner!r}")

    def unused(self) -> None:
        """Warnings: a record of a kind worth one that nothing refers to (as a use)."""
        for kind, index, record in self.records.all():
            if kind.unused_warning and record.id not in self.referenced[kind.name, True]:
                location = _location(kind, index, record)
                self.problems.append(location.problem(kind.unused_warning, "warning"))


def integrity_problems(records: IndexedRecords, *, warn: bool = True) -> list[Problem]:
    """Problems between records: ids, references, dates, verbatim text, shared aliases.

    Warnings (when ``warn``) mark what is legal but likely a slip: a source or person that
    nothing refers to.
    """
    checker = _Integrity(records)
    checker.ids()
    checker.dates()
    checker.references()
    checker.verbatim()
    checker.aliases()
    if warn:
        checker.unused()
    return checker.problems


def archive_problems(records: IndexedRecords, folder: Path, *, warn: bool = True) -> list[Problem]:
    """Each source's archived text read from ``folder`` and matched against its SHA-256, and
    every excerpt citing the source found in that text.

    A source with no archive is a warning (when ``warn``): its excerpts go unchecked.
    """
    # Imported here: the loader imports this module, and a lookup never reads an archive.
    from karabakh_cli import archive

    problems: list[Problem] = []
    collection = model.KIND["source"].collection
    for index, source in records.of(model.Source):
        record = f"{collection}[{index}]"
        if source.archive is None:
            if warn:
                message = "no archived text: excerpts citing this source are not checked"
                problems.append(
                    Problem(message, (collection, index), record, source.id, severity="warning")
                )
            continue
        try:
            text = archive.read_text(folder, source.archive)
        except archive.ArchiveError as error:
            problems.append(
                Problem(str(error), (collection, index, "archive"), record, source.id, "archive")
            )
            # A changed text is still read: the curator learns which excerpts the change breaks.
            if not isinstance(error, archive.ArchiveChanged) or error.text is None:
                continue
            text = error.text
        problems += _excerpt_problems(records, source.id, source.archive.path, text)
    return problems


def _excerpt_problems(
    records: IndexedRecords, source_id: str, archive_path: str, text: str
) -> list[Problem]:
    """Excerpts citing ``source_id`` that do not occur verbatim in its archived ``text``."""
    normalised_text = normalise_quoting(text)
    message = (
        f"excerpt does not occur verbatim in the archived text of {source_id!r} ({archive_path})"
    )
    return [
        _location(kind, index, record).at("excerpt").problem(message)
        for kind, index, record in records.citing_sources()
        if record.source == source_id and normalise_quoting(record.excerpt) not in normalised_text
    ]
