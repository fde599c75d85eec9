"""Every check of a fact base: its structure against the model, then its integrity.

Structure checks read the decoded JSON field by field against the structs in ``model``, so
they report every problem and never drift from what the loader accepts. Integrity checks
read typed records: well-formed unique ids, real dates, references that resolve, verbatim
text, aliases no two people share.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from karabakh_cli import model
from karabakh_cli.problems import JsonPath, Problem
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


class Numbered(msgspec.Struct):
    """Each collection's well-formed records with their index in the file."""

    sources: list[tuple[int, model.Source]]
    people: list[tuple[int, model.Person]]
    quotes: list[tuple[int, model.Quote]]
    terms: list[tuple[int, model.Term]]
    events: list[tuple[int, model.Event]]

    def all(self) -> Iterator[tuple[str, int, model.Record]]:
        for collection in model.COLLECTIONS:
            for index, record in getattr(self, collection):
                yield collection, index, record

    def cited(self) -> Iterator[tuple[str, int, model.Cited]]:
        """Records that cite a source."""
        yield from (("people", index, record) for index, record in self.people)
        yield from (("quotes", index, record) for index, record in self.quotes)
        yield from (("terms", index, record) for index, record in self.terms)
        yield from (("events", index, record) for index, record in self.events)

    def involving(self) -> Iterator[tuple[str, int, model.Term | model.Event]]:
        """Records with actors."""
        yield from (("terms", index, record) for index, record in self.terms)
        yield from (("events", index, record) for index, record in self.events)


def numbered(base: model.FactBase) -> Numbered:
    """Each collection's records with their index in the file."""
    return Numbered(
        list(enumerate(base.sources)),
        list(enumerate(base.people)),
        list(enumerate(base.quotes)),
        list(enumerate(base.terms)),
        list(enumerate(base.events)),
    )


AnyRecord = TypeVar("AnyRecord", bound=model.Record)


def _well_formed(
    raw: dict[str, object], name: str, struct: type[AnyRecord]
) -> list[tuple[int, AnyRecord]]:
    items = raw.get(name)
    converted = []
    for index, item in enumerate(items if isinstance(items, list) else ()):
        try:
            converted.append((index, msgspec.convert(item, struct)))
        except msgspec.ValidationError:
            continue
    return converted


def numbered_from_raw(raw: dict[str, object]) -> Numbered:
    """The records of a decoded fact base that are well-formed, with their index in the file,
    so that integrity is checked even where some records are broken."""
    return Numbered(
        _well_formed(raw, "sources", model.Source),
        _well_formed(raw, "people", model.Person),
        _well_formed(raw, "quotes", model.Quote),
        _well_formed(raw, "terms", model.Term),
        _well_formed(raw, "events", model.Event),
    )


class _Integrity:
    """The integrity checks, one pass per concern, so a large base is read in tight loops."""

    def __init__(self, records: Numbered) -> None:
        self.records = records
        self.problems: list[Problem] = []
        self.ids_of = {
            name: {record.id for _, record in getattr(records, name)} for name in model.COLLECTIONS
        }

    def report(
        self,
        collection: str,
        index: int,
        record: model.Record,
        message: str,
        field: str,
        *sub_path: str | int,
    ) -> None:
        path = (collection, index, *sub_path)
        self.problems.append(Problem(message, path, f"{collection}[{index}]", record.id, field))

    def refer(
        self,
        target: str,
        value: str,
        collection: str,
        index: int,
        record: model.Record,
        field: str,
        *sub_path: str | int,
    ) -> None:
        if value not in self.ids_of[target]:
            kind = model.KIND_OF_COLLECTION[target]
            self.report(
                collection, index, record, f"no {kind} has the id {value!r}", field, *sub_path
            )

    def ids(self) -> None:
        """Every id well-formed and used once in the whole base."""
        ids = [record.id for _, _, record in self.records.all()]
        if len(set(ids)) == len(ids) and all(map(model.ID_FORM.fullmatch, ids)):
            return
        first_use: dict[str, tuple[str, int]] = {}
        for collection, index, record in self.records.all():
            if not model.ID_FORM.fullmatch(record.id):
                message = f"must be a record id (lower-case letters, digits and hyphens), got {record.id!r}"
                self.report(collection, index, record, message, "id", "id")
            earlier = first_use.setdefault(record.id, (collection, index))
            if earlier != (collection, index):
                message = f"duplicate id {record.id!r}, first used by {earlier[0]}[{earlier[1]}]"
                self.report(collection, index, record, message, "id", "id")

    def dates(self) -> None:
        dated: list[tuple[str, list[tuple[int, model.Source | model.Quote | model.Event]]]] = [
            ("sources", list(self.records.sources)),
            ("quotes", list(self.records.quotes)),
            ("events", list(self.records.events)),
        ]
        for collection, records in dated:
            for index, record in records:
                try:
                    model.parse_partial_date(record.date)
                except ValueError as error:
                    self.report(collection, index, record, str(error), "date", "date")

    def _references_resolve(self) -> bool:
        """The fast path for a clean base: every reference resolves, no quote links to itself."""
        quotes = self.records.quotes
        cited = {record.source for _, _, record in self.records.cited()}
        people = {quote.speaker for _, quote in quotes}
        people.update(actor for _, _, record in self.records.involving() for actor in record.actors)
        links = {
            target for _, quote in quotes for target in (*quote.contradicts, *quote.responds_to)
        }
        self_links = any(
            quote.id in quote.contradicts or quote.id in quote.responds_to for _, quote in quotes
        )
        return (
            cited <= self.ids_of["sources"]
            and people <= self.ids_of["people"]
            and links <= self.ids_of["quotes"]
            and not self_links
        )

    def references(self) -> None:
        if self._references_resolve():
            return
        for collection, index, record in self.records.cited():
            self.refer("sources", record.source, collection, index, record, "source", "source")
        for collection, index, involving in self.records.involving():
            for position, actor in enumerate(involving.actors):
                field = f"actors[{position}]"
                self.refer("people", actor, collection, index, involving, field, "actors", position)
        for index, quote in self.records.quotes:
            self.refer("people", quote.speaker, "quotes", index, quote, "speaker", "speaker")
            for link, targets in (
                ("contradicts", quote.contradicts),
                ("responds_to", quote.responds_to),
            ):
                for position, target in enumerate(targets):
                    field = f"{link}[{position}]"
                    self.refer("quotes", target, "quotes", index, quote, field, link, position)
                    if target == quote.id:
                        message = "a quote cannot link to itself"
                        self.report("quotes", index, quote, message, field, link, position)

    def verbatim(self) -> None:
        texts: list[tuple[str, list[tuple[int, model.Quote | model.Term]]]] = [
            ("quotes", list(self.records.quotes)),
            ("terms", list(self.records.terms)),
        ]
        for collection, records in texts:
            for index, record in records:
                if not contains_verbatim(record.excerpt, record.text):
                    message = "text does not occur verbatim in the excerpt"
                    self.report(collection, index, record, message, "text", "text")

    def aliases(self) -> None:
        owner_of: dict[str, str] = {}
        for index, person in self.records.people:
            for position, alias in enumerate([person.name, *person.aliases]):
                owner = owner_of.setdefault(fold(alias), person.id)
                if owner != person.id:
                    field, sub_path = (
                        ("name", ("name",))
                        if position == 0
                        else (f"aliases[{position - 1}]", ("aliases", position - 1))
                    )
                    message = f"{alias!r} already names {owner!r}"
                    self.report("people", index, person, message, field, *sub_path)

    def unused(self) -> None:
        """Warnings: a source nothing cites, a person nothing involves."""
        cited = {
            record.source
            for collection, _, record in self.records.cited()
            if collection != "people"
        }
        involved = {quote.speaker for _, quote in self.records.quotes}
        involved.update(
            actor for _, _, record in self.records.involving() for actor in record.actors
        )
        unused: list[tuple[str, set[str], str, list[tuple[int, model.Source | model.Person]]]] = [
            (
                "sources",
                cited,
                "no quote, term or event cites this source",
                list(self.records.sources),
            ),
            (
                "people",
                involved,
                "no quote, term or event involves this person",
                list(self.records.people),
            ),
        ]
        for collection, used, message, records in unused:
            self.problems += [
                Problem(
                    message,
                    (collection, index),
                    f"{collection}[{index}]",
                    record.id,
                    severity="warning",
                )
                for index, record in records
                if record.id not in used
            ]


def integrity_problems(records: Numbered, *, warn: bool = True) -> list[Problem]:
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


def archive_problems(records: Numbered, folder: Path, *, warn: bool = True) -> list[Problem]:
    """Each source's archived text read from ``folder`` and matched against its SHA-256, and
    every excerpt citing the source found in that text.

    A source with no archive is a warning (when ``warn``): its excerpts go unchecked.
    """
    # Imported here: the loader imports this module, and a lookup never reads an archive.
    from karabakh_cli import archive

    problems: list[Problem] = []
    for index, source in records.sources:
        record = f"sources[{index}]"
        if source.archive is None:
            if warn:
                message = "no archived text: excerpts citing this source are not checked"
                problems.append(
                    Problem(message, ("sources", index), record, source.id, severity="warning")
                )
            continue
        try:
            text = archive.read_text(folder, source.archive)
        except archive.ArchiveError as error:
            problems.append(
                Problem(str(error), ("sources", index, "archive"), record, source.id, "archive")
            )
            # A changed text is still read: the curator learns which excerpts the change breaks.
            if not isinstance(error, archive.ArchiveChanged) or error.text is None:
                continue
            text = error.text
        problems += _excerpt_problems(records, source.id, source.archive.path, text)
    return problems


def _excerpt_problems(
    records: Numbered, source_id: str, archive_path: str, text: str
) -> list[Problem]:
    """Excerpts citing ``source_id`` that do not occur verbatim in its archived ``text``."""
    normalised_text = normalise_quoting(text)
    message = (
        f"excerpt does not occur verbatim in the archived text of {source_id!r} ({archive_path})"
    )
    return [
        Problem(
            message, (collection, index, "excerpt"), f"{collection}[{index}]", record.id, "excerpt"
        )
        for collection, index, record in records.cited()
        if record.source == source_id and normalise_quoting(record.excerpt) not in normalised_text
    ]
