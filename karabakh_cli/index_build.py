"""Building the derived index of a fact base (see index.py): its key, its file in the user's
cache, and its tables, written into a temporary file and renamed into place. Never prints."""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from karabakh_cli import __version__, factbase, index_search, match, model
from karabakh_cli.text import fold, spell_out_contractions_in

if TYPE_CHECKING:
    # sqlite3 (as hashlib and secrets) costs milliseconds to import: only a base large enough
    # to be indexed pays them.
    import sqlite3

# Raised whenever what the index stores changes shape: an index of another format is rebuilt.
FORMAT = 8

SCHEMA = """
create table meta (name text primary key, value);
create table record (
    position integer primary key, collection text not null, id text not null,
    json blob not null
);
create table spoken (speaker text not null, position integer not null);
create table link (target text not null, position integer not null);
-- Full-text tables of words already split as match splits them (\\w runs, folded): the
-- ascii tokenizer keeps every non-ASCII character and "_" in a word, so its words are those.
create virtual table name_word using fts5 (words, detail = none, tokenize = "ascii tokenchars '_'");
create virtual table name_word_vocabulary using fts5vocab (name_word, 'row');
create virtual table quote_word using fts5 (words, detail = none, tokenize = "ascii tokenchars '_'");
create virtual table quote_word_vocabulary using fts5vocab (quote_word, 'row');
"""
INDEXES = """
create index record_id on record (id);
create index spoken_speaker on spoken (speaker);
create index link_target on link (target);
"""

# A progress display: given a description and a total, a context that takes each step's size.
Progress = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]


def location(path: Path) -> Path | None:
    """Where the index of the fact base at ``path`` is kept, or None with no cache folder.

    One file per base path, named by a hash of the resolved path, so a rebuilt index replaces
    the old one rather than piling up beside it.
    """
    import hashlib

    folder = factbase.cache_folder()
    if folder is None:
        return None
    name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32]
    return folder / "index" / f"{name}.sqlite"


def key(path: Path, status: os.stat_result) -> str:
    """What an index is valid for: as git's index keys a file, and kb's version and format."""
    identity = (
        status.st_dev,
        status.st_ino,
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
    )
    return "\n".join(map(str, (__version__, FORMAT, path.resolve(), *identity)))


_QUOTE_LINKS = [ref.field for ref in model.KIND["quote"].references if ref.target == "quote"]


def _attribution_forms(quotes: Sequence[model.Quote]) -> Iterator[str]:
    """The form of each quote's text that who-said compares (match._attribution_form), with
    contractions spelled out a batch at a time: as fast as for the whole base at once,
    without a copy of every text in memory."""
    batch = 10_000
    for start in range(0, len(quotes), batch):
        texts = [fold(quote.text) for quote in quotes[start : start + batch]]
        yield from spell_out_contractions_in(texts)


# Each record's JSON text as the file holds it: stored as it is rather than re-encoded, and
# decoded far faster than into records (into slices of the bytes read, not copies).
_Slices = msgspec.defstruct(
    "_Slices", [(collection, list[msgspec.Raw], []) for collection in model.COLLECTIONS]
)


def build(
    path: Path, status: os.stat_result, base: model.FactBase, data: bytes, progress: Progress
) -> Path:
    """Write the index of ``base``, decoded from ``data`` read from the file ``path`` held
    with ``status``, into a temporary file and rename it into place; return where it is.
    Raises OSError or sqlite3.Error when the cache cannot take it (read-only, full, not a
    folder)."""
    import secrets
    import sqlite3

    file = location(path)
    if file is None:
        raise OSError("no cache folder")
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_name(f".{file.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        connection = sqlite3.connect(temporary, isolation_level=None)
        try:
            # The rows create no cycles; left on, the collector would rescan the whole base
            # again and again, as while decoding it.
            with factbase.no_garbage_collection():
                _fill(connection, path, key(path, status), base, data, progress)
        finally:
            connection.close()
        temporary.replace(file)
    finally:
        temporary.unlink(missing_ok=True)
    return file


def _fill(
    connection: sqlite3.Connection,
    path: Path,
    key: str,
    base: model.FactBase,
    data: bytes,
    progress: Progress,
) -> None:
    connection.execute("pragma journal_mode = off")
    connection.execute("pragma synchronous = off")
    connection.executescript(SCHEMA + index_search.SCHEMA)
    connection.execute("begin")
    slices = msgspec.json.decode(data, type=_Slices)
    total = sum(len(getattr(base, collection)) for collection in model.COLLECTIONS)
    position = 0
    with progress(f"indexing {path.name}", total) as advance:
        for collection in model.COLLECTIONS:
            records: list[model.Record] = getattr(base, collection)
            connection.executemany(
                "insert into record values (?, ?, ?, ?)",
                [
                    (number, collection, record.id, json)
                    for number, (record, json) in enumerate(
                        zip(records, getattr(slices, collection), strict=True), start=position
                    )
                ],
            )
            searched = index_search.search_rows(collection, enumerate(records, start=position))
            for sql, rows in zip(index_search.INSERTS, searched, strict=True):
                connection.executemany(sql, rows)
            position += len(records)
            advance(len(records))
    first_quote = len(base.sources) + len(base.people)
    first_person = len(base.sources)
    connection.executemany(
        "insert into spoken values (?, ?)",
        ((quote.speaker, first_quote + number) for number, quote in enumerate(base.quotes)),
    )
    connection.executemany(
        "insert into link values (?, ?)",
        (
            (target, first_quote + number)
            for number, quote in enumerate(base.quotes)
            for link in _QUOTE_LINKS
            for target in getattr(quote, link)
        ),
    )
    run_together: list[str] = []
    owners = array("q")
    # One row a person, every spelling's words: a third of the rows of one a spelling.
    names: list[tuple[int, str]] = []
    noise = match.NAME_NOISE
    for number, person in enumerate(base.people, start=first_person):
        words_of_person: list[str] = []
        for spelling in (person.name, *person.aliases):
            # Folded once, here.
            words = match.WORD.findall(fold(spelling))
            # Without noise words, as match's exact score runs a spelling's words together.
            kept = words if noise.isdisjoint(words) else [w for w in words if w not in noise]
            run_together.append("".join(kept))
            owners.append(number)
            words_of_person += words
        names.append((number, " ".join(words_of_person)))
    connection.executemany("insert into name_word (rowid, words) values (?, ?)", names)
    connection.executemany(
        "insert into quote_word (rowid, words) values (?, ?)",
        (
            (first_quote + number, form if form.isascii() else " ".join(match.WORD.findall(form)))
            for number, form in enumerate(_attribution_forms(base.quotes))
        ),
    )
    connection.execute("commit")
    connection.executescript(INDEXES)
    meta: dict[str, object] = {
        **{
            f"{table}_vocabulary": "\n".join(
                word for (word,) in connection.execute(f"select term from {table}_vocabulary")
            ).encode()
            for table in ("name_word", "quote_word")
        },
        "key": key,
        "base": str(path.resolve()),
        "run_together": "\n".join(run_together).encode(),
        "run_together_people": owners.tobytes(),
        **index_search.vocabulary(connection),
        **{f"count:{name}": len(getattr(base, name)) for name in model.COLLECTIONS},
        # Written last: an index whose build stopped half-way has no "complete".
        "complete": 1,
    }
    connection.executemany("insert into meta values (?, ?)", meta.items())
