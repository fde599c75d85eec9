"""The structure checks of a fact base, and its records with their places in the file.

Structure checks read the decoded JSON field by field against the structs in ``model``, so
they report every problem and never drift from what the loader accepts. The checks between
records are integrity.py's.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator, Mapping
from typing import Any

import msgspec

from karabakh_cli import model
from karabakh_cli.base.problems import JsonPath, Problem

_MSGSPEC_WHERE = re.compile(r"\[(\d+)\]|\.([^.\[]+)")


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    names = {dict: "object", list: "array", str: "string", int: "number", float: "number"}
    return names.get(type(value), "null")


def _choices(field_type: object) -> list[object]:
    """The values a Literal allows, also within Annotated and an optional (``X | None``)."""
    if typing.get_origin(field_type) is typing.Literal:
        return list(typing.get_args(field_type))
    inner = typing.get_args(field_type)
    if typing.get_origin(field_type) is typing.Annotated:
        inner = inner[:1]
    return [choice for part in inner for choice in _choices(part)]


def _descriptions(field_type: object) -> list[str]:
    """The descriptions a field's type carries (msgspec.Meta), the innermost first."""
    found: list[str] = []
    for part in typing.get_args(field_type):
        if isinstance(part, msgspec.Meta):
            found += [part.description] if part.description else []
        elif not isinstance(part, str):
            found = _descriptions(part) + found
    return found


def _humanise(message: str, field_type: object, value: object) -> str:
    """msgspec's message for a bad value, in the words a curator editing JSON uses."""
    if message.startswith("Expected `str` of length >= 1"):
        return "must not be empty"
    if message.startswith("Invalid enum value"):
        return f"must be one of {', '.join(map(repr, _choices(field_type)))}, got {value!r}"
    if message.startswith("Expected `str` matching regex") and (
        described := _descriptions(field_type)
    ):
        # The form's own description ("A BCP 47 language tag, e.g. en, fr or pt-BR.") says
        # what is expected; the regular expression would not.
        what = described[0].rstrip(".")
        return f"expected {what[0].lower()}{what[1:]}, got {value!r}"
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
    if struct is model.Source:
        yield from _translation_problems(raw, path, record, record_id)


def _translation_problems(
    raw: dict[Any, Any], path: JsonPath, record: str, record_id: str | None
) -> Iterator[Problem]:
    """A source's translation fields against each other (model.translation_problem), once
    each is well-formed on its own: a translation names the original's language."""
    values: dict[str, str | None] = {}
    for name in ("language", "translated_from", "translation"):
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            return
        values[name] = value
    language = values["language"]
    if language is None:
        return
    found = model.translation_problem(language, values["translated_from"], values["translation"])
    if found is not None:
        field, message = found
        yield Problem(message, (*path, field), record, record_id, field)


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


class NumberedRecords:
    """Each collection's well-formed records with their index in the file, and the ids of the
    records that are not (which references may still name: one bad field, one problem)."""

    def __init__(
        self,
        by_collection: dict[str, list[tuple[int, model.Record]]],
        ill_formed_ids: dict[str, set[str]] | None = None,
    ) -> None:
        self.by_collection = by_collection
        self.ill_formed_ids = ill_formed_ids or {}


def numbered(base: model.FactBase) -> NumberedRecords:
    """Each collection's records with their index in the file."""
    return NumberedRecords(
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


def _ids_of(raw: dict[str, object], kind: model.KindOfRecord) -> set[str]:
    items = raw.get(kind.collection)
    return {
        item["id"]
        for item in (items if isinstance(items, list) else ())
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    }


def numbered_from_raw(raw: dict[str, object]) -> NumberedRecords:
    """The records of a decoded fact base that are well-formed, with their index in the file,
    so that integrity is checked even where some records are broken."""
    well_formed = {kind.collection: _well_formed(raw, kind) for kind in model.KINDS}
    ill_formed = {
        kind.collection: _ids_of(raw, kind).difference(
            record.id for _, record in well_formed[kind.collection]
        )
        for kind in model.KINDS
    }
    return NumberedRecords(well_formed, ill_formed)
