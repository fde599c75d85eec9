"""Keys given twice in one JSON object. Every decoder kb uses keeps the last value given and
drops the others without a word, so that a reviewer reading the file sees one value and kb
serves another: every reader refuses them. Never prints.

Looking for them costs little on a base that has none. A decode of the records that gives
each field as its text, or as absent, tells how many distinct keys each record gives; the
keys in the text are at most as many as its colons, or, more tightly, as its closing quotes
followed by a colon (inside a string a quote is escaped). When the bound equals the distinct
keys, no key is repeated; only a record where it does not (a repeated key, a nested object
such as an archive) is scanned key by key.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import msgspec
from msgspec import UNSET, UnsetType

from karabakh_cli import model

_RECORDS = msgspec.json.Decoder(list[msgspec.Raw])
_TOP_LEVEL = msgspec.json.Decoder(dict[str, msgspec.Raw])
_SPACED_KEY_END = re.compile(rb'"[ \t\r\n]+:')
_STRUCTURE = re.compile(rb'["{}\[\]]')
_COLON = re.compile(rb"[ \t\r\n]*:")


class RepeatedKey(NamedTuple):
    """A key given a second time in one object."""

    key: str
    offset: int
    """The byte offset of the repeated key's opening quote in the text scanned."""

    @property
    def message(self) -> str:
        """What is wrong, as the reader's and the validator's problems say it."""
        return f"the field {self.key!r} is given twice in one object; keep one"


def string_end(buffer: bytes, at: int) -> tuple[int, bool]:
    """Scan a JSON string's body from ``at``, an offset inside it and never within an escape:
    (the offset just past its closing quote, True), or, where ``buffer`` ends first, (the
    offset to go on from once more is read, False).

    Going on from where the scan stopped, never from the string's start, makes a string read
    over many chunks cost its length once: two byte searches per escape, none per character.
    """
    while True:
        quote = buffer.find(b'"', at)
        escape = buffer.find(b"\\", at, quote if quote >= 0 else len(buffer))
        if escape < 0:
            return (quote + 1, True) if quote >= 0 else (len(buffer), False)
        if escape + 1 >= len(buffer):
            # The escaped character is not read yet.
            return escape, False
        at = escape + 2


def _may_repeat(text: bytes, distinct: int) -> bool:
    """Whether ``text``, records that decode as typed, may hold more keys than the
    ``distinct`` keys its objects hold: each key is followed by a colon, after its closing
    quote and any white space; a quote before a colon inside a string is escaped, and a key
    the model knows never ends in a backslash."""
    if text.count(b":") <= distinct:
        return False
    key_ends = text.count(b'":') - text.count(b'\\":') + len(_SPACED_KEY_END.findall(text))
    return key_ends > distinct


def repeated_keys(text: bytes) -> Iterator[RepeatedKey]:
    """Every key given a second time in an object of the JSON ``text``, key by key: the
    exact scan, linear in the text, for valid JSON (a broken text ends the scan)."""
    # For each open object the keys met so far; None for an open array.
    open_values: list[set[str] | None] = []
    at = 0
    while found := _STRUCTURE.search(text, at):
        character = text[found.start()]
        at = found.end()
        if character != 0x22:  # '"'
            if character in b"{[":
                open_values.append(set() if character == 0x7B else None)
            elif open_values:
                open_values.pop()
            continue
        end, ended = string_end(text, at)
        if not ended:
            return
        keys = open_values[-1] if open_values else None
        if keys is not None and _COLON.match(text, end):
            token = text[found.start() : end]
            try:
                key = msgspec.json.decode(token) if b"\\" in token else token[1:-1].decode()
            except (msgspec.DecodeError, UnicodeDecodeError):
                return
            if key in keys:
                yield RepeatedKey(key, found.start())
            keys.add(key)
        at = end


@functools.cache
def _presence(struct: type[msgspec.Struct]) -> msgspec.json.Decoder[list[msgspec.Struct]]:
    """A decoder of an array of records of ``struct`` that gives each field as its text, or
    UNSET where the record does not give it: what keys a record gives, without decoding a
    value (as fast as cutting the array into records)."""
    fields = [
        (field.name, msgspec.Raw | UnsetType, msgspec.field(default=UNSET, name=field.encode_name))
        for field in msgspec.structs.fields(struct)
    ]
    given = msgspec.defstruct(f"{struct.__name__}Keys", fields, gc=False)
    return msgspec.json.Decoder(list[given])  # type: ignore[valid-type]


_UNSET_IN = operator.methodcaller("count", UNSET)


def _keys_given(records: list[msgspec.Struct]) -> list[int]:
    """How many distinct keys each record (decoded by a _presence decoder) gives."""
    if not records:
        return []
    fields = len(type(records[0]).__struct_fields__)
    return [fields - unset for unset in map(_UNSET_IN, map(msgspec.structs.astuple, records))]


def fewest_keys(records: Sequence[msgspec.Struct]) -> int:
    """At least how many distinct keys the typed ``records`` (all of one struct) were given:
    each required field, and each optional one whose value is not its default. Counted a
    field at a time, with no Python step per record."""
    if not records:
        return 0
    fewest = 0
    for field in msgspec.structs.fields(type(records[0])):
        if field.required:
            fewest += len(records)
        elif field.default is not msgspec.NODEFAULT:
            values = list(map(operator.attrgetter(field.name), records))
            fewest += len(values) - values.count(field.default)
    return fewest


def repeated_in_records(
    array: bytes, struct: type[msgspec.Struct], records: Sequence[msgspec.Struct] = ()
) -> Iterator[tuple[int, RepeatedKey]]:
    """Each key given twice in a record of ``array``, a JSON array of records that decodes
    as ``struct`` (into ``records``, when at hand), with the record's index; offsets are
    within ``array``."""
    if array.count(b":") <= fewest_keys(records):
        # Each key has a colon: as many colons as keys certainly given leave none repeated.
        return
    counts = _keys_given(_presence(struct).decode(array))
    if not _may_repeat(array, sum(counts)):
        return
    at = 0
    for index, (raw, keys) in enumerate(zip(_RECORDS.decode(array), counts, strict=True)):
        record = bytes(raw)
        # Between two records lie only a comma and white space: the first match is it.
        at = array.index(record, at)
        if _may_repeat(record, keys):
            for repeated in repeated_keys(record):
                yield index, repeated._replace(offset=at + repeated.offset)
        at += len(record)


@functools.cache
def _base_presence() -> msgspec.json.Decoder[msgspec.Struct]:
    """A decoder of a fact base that gives which top-level fields it gives, and the keys each
    record gives (see _presence), in one pass and without decoding a value."""
    fields = [
        (
            field.name,
            (
                _presence(model.COLLECTIONS[field.encode_name]).type
                if field.encode_name in model.COLLECTIONS
                else msgspec.Raw
            )
            | UnsetType,
            msgspec.field(default=UNSET, name=field.encode_name),
        )
        for field in msgspec.structs.fields(model.FactBase)
    ]
    return msgspec.json.Decoder(msgspec.defstruct("FactBaseKeys", fields, gc=False))


def _distinct_keys(data: bytes) -> int:
    """How many distinct keys the objects of a fact base that decodes as typed give: those
    of the top level and of each record, not those of the objects within records."""
    base = _base_presence().decode(data)
    given = [value for value in msgspec.structs.astuple(base) if value is not UNSET]
    return len(given) + sum(sum(_keys_given(value)) for value in given if isinstance(value, list))


def repeated_in_base(data: bytes, base: model.FactBase) -> list[tuple[str, RepeatedKey]]:
    """Every key given twice in ``data``, a fact base that decodes as typed into ``base``,
    with the record it is in (``people[3]``, or "" at the top level); offsets within
    ``data``."""
    colons = data.count(b":")
    given = fewest_keys([base]) + sum(
        fewest_keys(getattr(base, collection)) for collection in model.COLLECTIONS
    )
    if colons <= given or colons <= _distinct_keys(data):
        # The common case, settled in one decode and one count.
        return []
    top_level = _TOP_LEVEL.decode(data)
    values = {name: bytes(raw) for name, raw in top_level.items()}
    # Every colon outside the values follows a key of the top level, which holds none: it is
    # one the model knows.
    if data.count(b":") - sum(value.count(b":") for value in values.values()) > len(values):
        # A key of the top level given twice: its first value is not at hand, so the whole
        # text is scanned key by key.
        return [("", repeated) for repeated in repeated_keys(data)]
    found: list[tuple[str, RepeatedKey]] = []
    at = 0
    for name, value in values.items():
        at = data.index(value, at)
        if name in model.COLLECTIONS:
            found += [
                (f"{name}[{index}]", repeated._replace(offset=at + repeated.offset))
                for index, repeated in repeated_in_records(value, model.COLLECTIONS[name])
            ]
        at += len(value)
    return found
