"""Every check of a fact base: its structure against the model, then its integrity.

Structure checks read the decoded JSON field by field against the structs in ``model``, so
they report every problem and never drift from what the loader accepts. Integrity checks
read typed records: unique ids, references that resolve, real dates, verbatim excerpts.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator, Mapping
from typing import Any

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
    if message.startswith("Expected `str` matching regex"):
        return f"must be a record id (lower-case letters, digits and hyphens), got {value!r}"
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
    if field.type == model.PartialDateText and isinstance(value, str):
        try:
            model.parse_partial_date(value)
        except ValueError as error:
            yield Problem(str(error), path, record, record_id, field.encode_name)
        return
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


Numbered = dict[str, list[tuple[int, model.Record]]]


def numbered(base: model.FactBase) -> Numbered:
    """Each collection's records with their index in the file."""
    return {name: list(enumerate(getattr(base, name))) for name in model.COLLECTIONS}


def numbered_from_raw(raw: dict[str, object]) -> Numbered:
    """The records of a decoded fact base that are well-formed, with their index in the file,
    so that integrity is checked even where some records are broken."""
    records: Numbered = {}
    for name, struct in model.COLLECTIONS.items():
        items = raw.get(name)
        records[name] = []
        for index, item in enumerate(items if isinstance(items, list) else ()):
            try:
                records[name].append((index, msgspec.convert(item, struct)))
            except msgspec.ValidationError:
                continue
    return records


def _records(records: Numbered) -> Iterator[tuple[str, int, model.Record]]:
    for collection, numbered_records in records.items():
        for index, record in numbered_records:
            yield collection, index, record


def integrity_problems(records: Numbered, *, warn: bool = True) -> list[Problem]:
    """Problems between records: ids, references, dates, verbatim text, shared aliases.

    Warnings (when ``warn``) mark what is legal but likely a slip: a source or person that
    nothing refers to.
    """
    ids_of = {name: {record.id for _, record in records[name]} for name in model.COLLECTIONS}
    problems: list[Problem] = []
    first_use: dict[str, str] = {}
    cited_sources: set[str] = set()
    involved_people: set[str] = set()
    alias_owner: dict[str, str] = {}

    for collection, index, record in _records(records):
        label = f"{collection}[{index}]"

        def report(message: str, field: str, *sub_path: str | int) -> None:
            problems.append(
                Problem(message, (collection, index, *sub_path), label, record.id, field)  # noqa: B023
            )

        def refer(target: str, value: str, field: str, *sub_path: str | int) -> None:
            if value not in ids_of[target]:
                kind = model.KIND_OF_COLLECTION[target]
                report(f"no {kind} has the id {value!r}", field, *sub_path)

        if record.id in first_use:
            report(f"duplicate id {record.id!r}, first used by {first_use[record.id]}", "id", "id")
        else:
            first_use[record.id] = label

        date = getattr(record, "date", None)
        if isinstance(date, str):
            try:
                model.parse_partial_date(date)
            except ValueError as error:
                report(str(error), "date", "date")
        source = getattr(record, "source", None)
        if isinstance(source, str):
            refer("sources", source, "source", "source")
            if collection != "people":
                cited_sources.add(source)
        for position, actor in enumerate(getattr(record, "actors", ())):
            refer("people", actor, f"actors[{position}]", "actors", position)
            involved_people.add(actor)

        if isinstance(record, model.Quote | model.Term) and not contains_verbatim(
            record.excerpt, record.text
        ):
            report("text does not occur verbatim in the excerpt", "text", "text")
        if isinstance(record, model.Quote):
            refer("people", record.speaker, "speaker", "speaker")
            involved_people.add(record.speaker)
            for link in ("contradicts", "responds_to"):
                for position, target in enumerate(getattr(record, link)):
                    refer("quotes", target, f"{link}[{position}]", link, position)
                    if target == record.id:
                        report(
                            "a quote cannot link to itself", f"{link}[{position}]", link, position
                        )
        if isinstance(record, model.Person):
            for position, alias in enumerate([record.name, *record.aliases]):
                owner = alias_owner.setdefault(fold(alias), record.id)
                if owner != record.id:
                    field, sub_path = (
                        ("name", ("name",))
                        if position == 0
                        else (f"aliases[{position - 1}]", ("aliases", position - 1))
                    )
                    report(f"{alias!r} already names {owner!r}", field, *sub_path)

    if not warn:
        return problems
    unused = (
        ("sources", cited_sources, "no quote, term or event cites this source"),
        ("people", involved_people, "no quote, term or event involves this person"),
    )
    for collection, used, message in unused:
        problems += [
            Problem(
                message,
                (collection, index),
                f"{collection}[{index}]",
                record.id,
                severity="warning",
            )
            for index, record in records[collection]
            if record.id not in used
        ]
    return problems


def source_text_problems(records: Numbered, source_id: str, source_text: str) -> list[Problem]:
    """Excerpts citing ``source_id`` that do not occur verbatim in ``source_text``."""
    normalised_text = normalise_quoting(source_text)
    return [
        Problem(
            f"excerpt does not occur verbatim in the text of {source_id!r}",
            (collection, index, "excerpt"),
            f"{collection}[{index}]",
            record.id,
            "excerpt",
        )
        for collection, index, record in _records(records)
        if getattr(record, "source", None) == source_id
        and normalise_quoting(getattr(record, "excerpt", "")) not in normalised_text
    ]
