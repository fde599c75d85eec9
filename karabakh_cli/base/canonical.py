"""kb's canonical layout of a fact base, the one every write keeps.

The layout is ``json.dumps(base, indent=2, ensure_ascii=False)`` and a final newline, with each
object's keys in the field order of its struct in model.py: the order is read from the model,
so a field added there takes its place in the file. Optional fields a record leaves out stay
out. With one layout, the git diff of an added record is its own lines and at most a comma.
"""

from __future__ import annotations

import functools
import json
import typing
from typing import Any

import msgspec

from karabakh_cli import model
from karabakh_cli.base import factbase
from karabakh_cli.base.problems import FactBaseError, Problem

Raw = dict[str, Any]


def _struct_within(annotation: object) -> type[msgspec.Struct] | None:
    """The struct a field holds, alone, in a list or tuple, or optional: Archive | None."""
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return annotation
    for argument in typing.get_args(annotation):
        found = _struct_within(argument)
        if found is not None:
            return found
    return None


@functools.cache
def declared_fields(struct: type[msgspec.Struct]) -> tuple[msgspec.structs.FieldInfo, ...]:
    """A struct's fields in the order the model declares them (the base class's ``id`` first).

    msgspec's own order puts keyword-only fields last, which would move ``id`` to the end.
    """
    declared = [
        name
        for cls in reversed(struct.__mro__)
        for name in vars(cls).get("__annotations__", {})
        if name in struct.__struct_fields__
    ]
    by_name = {field.name: field for field in msgspec.structs.fields(struct)}
    return tuple(by_name[name] for name in dict.fromkeys(declared))


@functools.cache
def _fields(struct: type[msgspec.Struct]) -> dict[str, type[msgspec.Struct] | None]:
    """The JSON keys of a struct in canonical order, each with the struct its value holds."""
    return {field.encode_name: _struct_within(field.type) for field in declared_fields(struct)}


def _ordered(value: Any, struct: type[msgspec.Struct] | None) -> Any:
    if struct is None:
        return value
    if isinstance(value, list):
        return [_ordered(item, struct) for item in value]
    if not isinstance(value, dict):
        return value
    fields = _fields(struct)
    return {key: _ordered(value[key], fields[key]) for key in fields if key in value}


def text_of(raw: Raw) -> str:
    """The canonical text of a fact base whose structure is valid (see ``decode``)."""
    return json.dumps(_ordered(raw, model.FactBase), indent=2, ensure_ascii=False) + "\n"


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> Raw:
    found = dict(pairs)
    if len(found) < len(pairs):
        keys = [key for key, _ in pairs]
        repeated = next(key for key in keys if keys.count(key) > 1)
        raise ValueError(f"key {repeated!r} appears twice in one object")
    return found


def structure(data: bytes, label: str) -> model.FactBase:
    """The base, decoded as typed; a FactBaseError naming each error if it does not decode.

    Integrity problems (a reference to a missing record, say) are not looked for: a layout
    change or a comparison does not need them, and they are ``kb validate``'s to report.
    """
    try:
        return msgspec.json.decode(data, type=model.FactBase)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as error:
        problems = [problem for problem in factbase.diagnose(data) if problem.severity == "error"]
        raise FactBaseError(label, problems or [Problem(str(error))]) from None


def decode(data: bytes, label: str) -> Raw:
    """The JSON object of a fact base, kept as written, once its structure is known valid.

    Every key must be one the model knows: a key kb does not know has no place in the order,
    and a key given twice would lose one of its values.
    """
    structure(data, label)
    try:
        raw: Raw = json.loads(data, object_pairs_hook=_refuse_duplicate_keys)
    except ValueError as error:
        raise FactBaseError(label, [Problem(str(error))]) from None
    return raw


def _as_json(value: object) -> Any:
    """A value as JSON would give it back: lists where the model has tuples."""
    return msgspec.json.decode(msgspec.json.encode(value))


def all_fields(record: model.Record) -> Raw:
    """Every field of a record as JSON values, defaults filled in, in canonical order."""
    encoded: Raw = _as_json(record)
    return {
        field.encode_name: encoded[field.encode_name] for field in declared_fields(type(record))
    }


def record_object(record: model.Record) -> Raw:
    """A new record as the file holds it: every required field, and the optional ones it uses."""
    encoded = all_fields(record)
    return {
        field.encode_name: _ordered(encoded[field.encode_name], _struct_within(field.type))
        for field in declared_fields(type(record))
        if field.required or _as_json(field.default) != encoded[field.encode_name]
    }


def empty() -> str:
    """The canonical text of a fact base with no records, at the model's schema version."""
    version = typing.get_args(typing.get_type_hints(model.FactBase)["schema_version"])[0]
    collections = [key for key, struct in _fields(model.FactBase).items() if struct is not None]
    return text_of({"schema_version": version, **{key: [] for key in collections}})
