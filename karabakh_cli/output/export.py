"""kb export sqlite: a fact base as an SQLite database that Datasette and sqlite-utils read as
it is, and the Datasette metadata that describes it. Never prints.

The tables follow the model's kinds table: one table a kind, named as its collection, one
column a field, typed from the struct; a field naming one record is a foreign key; a field
naming several is a link table of its own (``quotes_contradicts``), in the record's order. The
texts people search (quotes, terms, events) get an FTS5 index with content, configured as
sqlite-utils configures one (``content=[quotes]``), which is how Datasette finds it. Unlike the
derived index (index/), nothing here is a cache: every value is readable, none is a BLOB.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import msgspec
import msgspec.inspect as types

from karabakh_cli import files
from karabakh_cli.model import KINDS, FactBase, KindOfRecord, Record, Reference

# The texts Datasette offers a search box for, per collection.
SEARCHED = {"quotes": ("text",), "terms": ("text",), "events": ("what", "where")}
VIEW = "quotes_with_speakers"
# What a column holds, where the model's own field has no description (kb schema shows those).
_DESCRIBED = {
    "id": "The record's id, as kb show and kb cite take it.",
    "speaker": "The person who said it (people.id).",
    "source": "The source that prints it (sources.id).",
    "text": "The words, verbatim as the source prints them.",
    "excerpt": "The passage of the source's archived text that holds the record.",
    "note": "The curator's note: a caveat the reader must see with the record.",
    "place": "Where it was said, when the source says.",
    "medium": "How it was said: a statement, an interview, a speech.",
    "attribution": "stated: the excerpt names the speaker; inferred: the curator read who "
    "spoke from context, and the note says why.",
    "form": "direct: the words as the speaker said them; fragment: words the source quotes "
    "inside its own reported speech.",
    "title": "The source's title.",
    "publisher": "Who published the source.",
    "url": "Where the source was published.",
    "archive_path": "The archived text's file, relative to the fact base's folder.",
    "archive_sha256": "SHA-256 of the archived text's bytes.",
    "name": "The person's usual name.",
    "kind": "person, organisation or state.",
    "role": "The person's role at the time.",
    "aliases": "Other spellings of the name, as a JSON array.",
    "quoted": "1 when the source prints the term in quotation marks, 0 for a paraphrase.",
    "what": "What happened.",
    "where": "Where it happened.",
    "date": "The date, as precise as the source allows: 2023, 2023-09 or 2023-09-20; a "
    "trailing ? marks an uncertain date.",
}
_VIEW_COLUMNS = (
    ("id", "quotes.id"),
    ("date", "quotes.date"),
    ("speaker", "people.name"),
    ("speaker_role", "people.role"),
    ("text", "quotes.text"),
    ("place", "quotes.place"),
    ("medium", "quotes.medium"),
    ("attribution", "quotes.attribution"),
    ("form", "quotes.form"),
    ("note", "quotes.note"),
    ("publisher", "sources.publisher"),
    ("source_title", "sources.title"),
    ("source_date", "sources.date"),
    ("source_language", "sources.language"),
    ("translated_from", "sources.translated_from"),
    ("translation", "sources.translation"),
    ("source_url", "sources.url"),
)


class Column(NamedTuple):
    """A column of a kind's table, made from one field of its struct."""

    name: str
    sql_type: str
    required: bool
    references: str | None
    """The table whose id the column holds, for a foreign key."""
    description: str
    path: tuple[str, ...]
    """Where the value is in the record's JSON: its field, and a nested struct's field."""


class LinkTable(NamedTuple):
    """A field naming several records, as a table of (owner, target, position) rows."""

    name: str
    owner: str
    """The column naming the record that holds the field (its kind's name)."""
    target: str
    """The column naming a record the field names."""
    owner_table: str
    target_table: str
    field: str


class Exported(NamedTuple):
    """What kb export wrote: the database, its metadata file and how many rows of each kind."""

    database: Path
    metadata: Path
    rows: dict[str, int]


def _bare(kind: types.Type) -> tuple[types.Type, bool]:
    """The type under its annotations, and whether None is allowed."""
    optional = False
    while True:
        if isinstance(kind, types.Metadata):
            kind = kind.type
        elif isinstance(kind, types.UnionType):
            others = [item for item in kind.types if not isinstance(item, types.NoneType)]
            optional = optional or len(others) < len(kind.types)
            kind = others[0]
        else:
            return kind, optional


def _description(kind: types.Type, name: str) -> str:
    """The model's own description of a field where it has one, else kb's words for it."""
    if isinstance(kind, types.Metadata) and kind.extra_json_schema:
        found = kind.extra_json_schema.get("description")
        # An id field's description is the form of ids, not what the field means.
        if found and not str(found).startswith("Lower-case letters"):
            return str(found)
    if isinstance(kind, types.UnionType):
        for item in kind.types:
            found = _description(item, name)
            if found != _DESCRIBED.get(name, ""):
                return found
    return _DESCRIBED.get(name, "")


def _table_of(target: str) -> str:
    return next(kind.collection for kind in KINDS if kind.name == target)


def columns(kind: KindOfRecord) -> list[Column]:
    """The columns of ``kind``'s table, the id first, then its fields in the struct's order;
    a nested struct (a source's archive) is one column a field of its own."""
    single = {ref.field: ref for ref in kind.references if not ref.many}
    many = {ref.field for ref in kind.references if ref.many}
    info = types.type_info(kind.struct)
    assert isinstance(info, types.StructType)
    found: list[Column] = []
    for field in sorted(info.fields, key=lambda field: field.name != "id"):
        if field.encode_name in many:
            continue
        bare, optional = _bare(field.type)
        required = field.required and not optional
        if isinstance(bare, types.StructType):
            for inner in bare.fields:
                name = f"{field.encode_name}_{inner.encode_name}"
                description = _DESCRIBED.get(name) or _description(inner.type, name)
                path = (field.encode_name, inner.encode_name)
                found.append(Column(name, "TEXT", False, None, description, path))
            continue
        sql_type = "INTEGER" if isinstance(bare, (types.BoolType, types.IntType)) else "TEXT"
        reference = single.get(field.encode_name)
        found.append(
            Column(
                field.encode_name,
                sql_type,
                required,
                _table_of(reference.target) if reference else None,
                _description(field.type, field.encode_name),
                (field.encode_name,),
            )
        )
    return found


def link_tables(kind: KindOfRecord) -> list[LinkTable]:
    """The link tables of ``kind``'s fields that name several records."""
    return [_link(kind, reference) for reference in kind.references if reference.many]


def _link(kind: KindOfRecord, reference: Reference) -> LinkTable:
    target = reference.field if reference.target == kind.name else reference.target
    return LinkTable(
        f"{kind.collection}_{reference.field}",
        kind.name,
        target,
        kind.collection,
        _table_of(reference.target),
        reference.field,
    )


def _create(kind: KindOfRecord) -> Iterator[str]:
    defined = []
    for column in columns(kind):
        text = f"[{column.name}] {column.sql_type}"
        if column.name == "id":
            text += " PRIMARY KEY"
        elif column.required:
            text += " NOT NULL"
        if column.references:
            text += f" REFERENCES [{column.references}]([id])"
        defined.append(text)
    yield f"CREATE TABLE [{kind.collection}] ({', '.join(defined)})"
    for link in link_tables(kind):
        yield (
            f"CREATE TABLE [{link.name}] ("
            f"[{link.owner}] TEXT NOT NULL REFERENCES [{link.owner_table}]([id]), "
            f"[{link.target}] TEXT NOT NULL REFERENCES [{link.target_table}]([id]), "
            f"[position] INTEGER NOT NULL, PRIMARY KEY ([{link.owner}], [position]))"
        )
        yield f"CREATE INDEX [{link.name}_{link.target}] ON [{link.name}] ([{link.target}])"
    for column in columns(kind):
        if column.references:
            yield (
                f"CREATE INDEX [{kind.collection}_{column.name}] "
                f"ON [{kind.collection}] ([{column.name}])"
            )


def _values(record: Record, chosen: Sequence[Column]) -> list[Any]:
    fields = msgspec.to_builtins(record)
    row: list[Any] = []
    for column in chosen:
        value: Any = fields
        for key in column.path:
            # None all the way down for a nested struct that is absent (no archive).
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, bool):
            value = int(value)
        elif isinstance(value, (list, tuple)):
            value = json.dumps(list(value), ensure_ascii=False)
        row.append(value)
    return row


def _fill(connection: sqlite3.Connection, base: FactBase) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind in KINDS:
        records: list[Record] = getattr(base, kind.collection)
        chosen = columns(kind)
        names = ", ".join(f"[{column.name}]" for column in chosen)
        marks = ", ".join("?" for _ in chosen)
        connection.executemany(
            f"INSERT INTO [{kind.collection}] ({names}) VALUES ({marks})",
            (_values(record, chosen) for record in records),
        )
        for link in link_tables(kind):
            connection.executemany(
                f"INSERT INTO [{link.name}] VALUES (?, ?, ?)",
                (
                    (record.id, target, position)
                    for record in records
                    for position, target in enumerate(getattr(record, link.field))
                ),
            )
        counts[kind.collection] = len(records)
    return counts


def _search(connection: sqlite3.Connection) -> None:
    for table, searched in SEARCHED.items():
        listed = ", ".join(f"[{column}]" for column in searched)
        connection.execute(
            f"CREATE VIRTUAL TABLE [{table}_fts] USING FTS5 ({listed}, content=[{table}])"
        )
        connection.execute(
            f"INSERT INTO [{table}_fts] (rowid, {listed}) SELECT rowid, {listed} FROM [{table}]"
        )


def _view(connection: sqlite3.Connection) -> None:
    selected = ", ".join(f"{expression} AS [{name}]" for name, expression in _VIEW_COLUMNS)
    connection.execute(
        f"CREATE VIEW [{VIEW}] AS SELECT {selected} FROM quotes "
        "JOIN people ON people.id = quotes.speaker JOIN sources ON sources.id = quotes.source "
        "ORDER BY quotes.date, quotes.rowid"
    )


def metadata(
    base: FactBase, database: str, title: str, license_name: str | None, license_url: str | None
) -> dict[str, Any]:
    """Datasette's metadata for the exported ``base``: a title, where the facts come from,
    the licence when the curator names one (kb never guesses it), and what each column holds."""
    tables: dict[str, Any] = {}
    for kind in KINDS:
        tables[kind.collection] = {
            "description": (kind.struct.__doc__ or "").strip().splitlines()[0],
            "columns": {column.name: column.description for column in columns(kind)},
        }
        for link in link_tables(kind):
            tables[link.name] = {
                "description": f"The records a {kind.name}'s {link.field} names, in its order.",
                "columns": {
                    link.owner: f"The {kind.name} ({link.owner_table}.id).",
                    link.target: f"A record it names ({link.target_table}.id).",
                    "position": "Its place in the list, from 0.",
                },
            }
    tables[VIEW] = {
        "description": "Every quote with its speaker and its source, in date order; "
        "translated_from and translation say when the words are a translation.",
        "columns": {
            name: _view_description(name, expression) for name, expression in _VIEW_COLUMNS
        },
    }
    publishers = sorted({source.publisher for source in base.sources})
    urls = [source.url for source in base.sources if source.url]
    found: dict[str, Any] = {
        "title": title,
        "description": (
            "Who said what, when and where, curated by kb from its sources: every quote is "
            "verbatim and carries the excerpt of the source that prints it. The quoted words "
            "belong to their sources."
        ),
        "source": ", ".join(publishers),
        **({"source_url": urls[0]} if len(urls) == 1 else {}),
        **({"license": license_name} if license_name else {}),
        **({"license_url": license_url} if license_url else {}),
        "databases": {database: {"tables": tables}},
    }
    return found


def _view_description(name: str, expression: str) -> str:
    table, _, field = expression.partition(".")
    kind = next(kind for kind in KINDS if kind.collection == table)
    described = {column.name: column.description for column in columns(kind)}
    return described.get(field, "") or _DESCRIBED.get(name, "")


def write(
    base: FactBase,
    database: Path,
    metadata_path: Path,
    *,
    title: str,
    license_name: str | None = None,
    license_url: str | None = None,
) -> Exported:
    """Write ``base`` as the SQLite database at ``database`` and its Datasette metadata at
    ``metadata_path``, each whole or not at all (OSError and sqlite3.Error say why)."""
    handle, name = tempfile.mkstemp(dir=database.parent, prefix=f".{database.name}.", suffix=".tmp")
    os.close(handle)
    building = Path(name)
    # mkstemp's file is private (0600); a database to share gets the mode a new file would.
    mask = os.umask(0)
    os.umask(mask)
    building.chmod(0o666 & ~mask)
    try:
        connection = sqlite3.connect(building)
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            with connection:
                for kind in KINDS:
                    for statement in _create(kind):
                        connection.execute(statement)
                counts = _fill(connection, base)
                _search(connection)
                _view(connection)
        finally:
            connection.close()
        described = metadata(base, database.stem, title, license_name, license_url)
        text = json.dumps(described, ensure_ascii=False, indent=2) + "\n"
        files.put_atomically(metadata_path, text.encode("utf-8"))
        building.replace(database)
        files.sync_folder(database.parent)
    except BaseException:
        building.unlink(missing_ok=True)
        raise
    return Exported(database, metadata_path, counts)
