"""Building the derived index of a fact base: its tables, written into a temporary file and
renamed into place where location.py says. Never prints."""

from __future__ import annotations

import os
import typing
from array import array
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from karabakh_cli import model
from karabakh_cli.index import bounds, location, seal
from karabakh_cli.lookup import attribution, match, queries
from karabakh_cli.text import fold

if TYPE_CHECKING:
    # sqlite3 (as hashlib and secrets) costs milliseconds to import, and the batch reader one:
    # only a base large enough to be indexed pays them.
    import sqlite3

    from karabakh_cli.base import batches

SCHEMA = """
create table meta (name text primary key, value);
-- Where each record's text lies in the base: a lookup decodes the base's own bytes there
-- and checks that they hold this id (reader.Index._records).
create table record (
    position integer primary key, collection text not null, id text not null,
    start integer not null, length integer not null
);
create table spoken (speaker text not null, position integer not null);
create table link (target text not null, position integer not null);
-- Full-text tables of words already split as match splits them (\\w runs, folded): the
-- ascii tokenizer keeps every non-ASCII character and "_" in a word, so its words are those.
create virtual table name_word using fts5 (
    words, content = '', detail = none, columnsize = 0, tokenize = "ascii tokenchars '_'"
);
create virtual table name_word_vocabulary using fts5vocab (name_word, 'row');
create virtual table quote_word using fts5 (
    words, content = '', detail = none, columnsize = 0, tokenize = "ascii tokenchars '_'"
);
create virtual table quote_word_vocabulary using fts5vocab (quote_word, 'row');
-- The quotes holding each word many quotes hold, as a bitset (see bounds.py).
create table quote_word_bits (word text primary key, bits blob not null) without rowid;
-- kb people's rows: each person's position, the source its row shows and its counts.
create table involvement (
    position integer primary key, source text not null,
    quotes integer not null, terms integer not null, events integer not null
);
"""
INDEXES = """
create index record_id on record (id);
create index spoken_speaker on spoken (speaker);
create index link_target on link (target);
"""

# A progress display: given a description and a total, a context that takes each step's size.
Progress = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]


_QUOTE_LINKS = [ref.field for ref in model.KIND["quote"].references if ref.target == "quote"]


class Builder:
    """An index being written into a temporary file, fed the base a batch of records at a
    time (``add``), then renamed into place (``commit``); discarded unless committed.

    Raises OSError or sqlite3.Error when the cache cannot take it (read-only, full, not a
    folder).
    """

    connection: sqlite3.Connection

    def __init__(self, path: Path) -> None:
        import secrets
        import sqlite3

        # Imported by the build that needs it: kb's start-up does without.
        from karabakh_cli.index import search

        file = location.location(path)
        if file is None:
            raise OSError("no cache folder")
        location.make_folder(file)
        # Builds killed before they could clean up (SIGKILL, SIGTERM, SIGHUP) leave their
        # file, named by their process id: gone with their process, it is removed now.
        location.remove_leftovers(file.parent)
        self.path = path
        self.file = file
        # The base as this build reads where its records lie: the very file the scan reads,
        # or the build is not kept (see base_status).
        self.base = location.open_base(path)
        self.temporary = location.temporary_name(file, secrets.token_hex(4))
        try:
            self.connection = sqlite3.connect(self.temporary, isolation_level=None)
        except BaseException:
            os.close(self.base)
            raise
        try:
            self.connection.execute("pragma journal_mode = off")
            self.connection.execute("pragma synchronous = off")
            self.connection.execute("pragma cache_size = -65536")
            # Larger pages fill faster: a tenth off the build; a lookup reads a few pages more.
            self.connection.execute("pragma page_size = 16384")
            self.connection.executescript(SCHEMA + search.SCHEMA)
            self.connection.execute("begin")
        except BaseException:
            # Not yet a context: nothing else would remove the file (a full disk, say).
            self.__exit__()
            raise
        self.counts = dict.fromkeys(model.COLLECTIONS, 0)
        # Each spelling's words run together (without noise words, as match's exact score
        # runs them), and the position of the person it spells.
        self.run_together: list[str] = []
        self.owners = array("q")
        # kb people's rows: each person's position, id and source, and their counts.
        self.people: list[tuple[int, str, str]] = []
        self.involving = queries.InvolvementCounter()

    def __enter__(self) -> Builder:
        return self

    def __exit__(self, *exception: object) -> None:
        self.connection.close()
        os.close(self.base)
        self.temporary.unlink(missing_ok=True)

    def base_status(self) -> os.stat_result:
        """The status of the base file this build placed the records in, now."""
        return os.fstat(self.base)

    def _starts(self, batch: batches.Batch) -> list[int]:
        """The byte offset in the base of each record of ``batch``: between two records lie
        only a comma and white space, so each record's text is the next place it is found.
        Raises ValueError for a file that no longer holds them there (changed as it is read)."""
        region = os.pread(self.base, batch.end - batch.start, batch.start)
        starts: list[int] = []
        at = 0
        for text in batch.texts:
            record = bytes(text)
            at = region.index(record, at)
            starts.append(batch.start + at)
            at += len(record)
        return starts

    def add(self, batch: batches.Batch) -> None:
        """Index one batch of records (the caller keeps the garbage collector paused, as the
        rows make no cycles)."""
        from karabakh_cli.index import search

        collection = batch.kind.collection
        first = batch.first_position
        self.counts[collection] += len(batch.records)
        self.connection.executemany(
            "insert into record values (?, ?, ?, ?, ?)",
            [
                (position, collection, record.id, start, len(text))
                for position, (record, text, start) in enumerate(
                    zip(batch.records, batch.texts, self._starts(batch), strict=True),
                    start=first,
                )
            ],
        )
        self.involving.add(collection, batch.records)
        searched = search.search_rows(collection, enumerate(batch.records, start=first))
        for sql, rows in zip(search.INSERTS, searched, strict=True):
            self.connection.executemany(sql, rows)
        if collection == "people":
            self._add_people(first, typing.cast("list[model.Person]", batch.records))
        elif collection == "quotes":
            self._add_quotes(first, typing.cast("list[model.Quote]", batch.records))

    def _add_people(self, first: int, people: list[model.Person]) -> None:
        self.people += [
            (position, person.id, person.source) for position, person in enumerate(people, first)
        ]
        spellings = [spelling for person in people for spelling in (person.name, *person.aliases)]
        # Folded once, here (fold lower-cases an ASCII spelling, as most are, itself).
        folded = [fold(spelling) for spelling in spellings]
        self.run_together += match.run_together(folded)
        # One row a person, every spelling's words: a third of the rows of one a spelling.
        names: list[tuple[int, str]] = []
        at = 0
        for position, person in enumerate(people, start=first):
            count = 1 + len(person.aliases)
            self.owners.extend([position] * count)
            words = [match.spaced_words(spelling) for spelling in folded[at : at + count]]
            names.append((position, " ".join(words)))
            at += count
        self.connection.executemany("insert into name_word (rowid, words) values (?, ?)", names)

    def _add_quotes(self, first: int, quotes: list[model.Quote]) -> None:
        self.connection.executemany(
            "insert into spoken values (?, ?)",
            [(quote.speaker, position) for position, quote in enumerate(quotes, start=first)],
        )
        self.connection.executemany(
            "insert into link values (?, ?)",
            [
                (target, position)
                for position, quote in enumerate(quotes, start=first)
                for link in _QUOTE_LINKS
                for target in getattr(quote, link)
            ],
        )
        self.connection.executemany(
            "insert into quote_word (rowid, words) values (?, ?)",
            [
                (position, match.spaced_words(form))
                for position, form in enumerate(
                    attribution.attribution_forms([quote.text for quote in quotes]), start=first
                )
            ],
        )

    def commit(self, key: str, started_ns: int, digest: str | None) -> Path:
        """Finish the index of the base keyed ``key``, whose build started at ``started_ns``
        (with the SHA-256 ``digest`` of its content, for a base that changed just before, see
        location.racy), seal it and rename it into place; where it is."""
        from karabakh_cli.index import search

        connection = self.connection
        connection.executemany(
            "insert into involvement values (?, ?, ?, ?, ?)",
            [
                (position, source, *self.involving.of(person))
                for position, person, source in self.people
            ],
        )
        connection.execute("commit")
        connection.executescript(INDEXES)
        first = bounds.store(connection)
        meta: dict[str, object] = {
            **{
                f"{table}_vocabulary": "\n".join(
                    word for (word,) in connection.execute(f"select term from {table}_vocabulary")
                ).encode()
                for table in ("name_word", "quote_word")
            },
            "key": key,
            "started": started_ns,
            "digest": digest or "",
            "base": str(self.path.resolve()),
            "run_together": "\n".join(self.run_together).encode(),
            "run_together_people": self.owners.tobytes(),
            "quote_word_first": str(first).encode(),
            **search.vocabulary(connection),
            **{f"count:{name}": count for name, count in self.counts.items()},
            # Written last: an index whose build stopped half-way has no "complete".
            "complete": 1,
        }
        connection.executemany("insert into meta values (?, ?)", meta.items())
        connection.close()
        self.temporary.chmod(0o600)
        seal.seal(self.temporary)
        self.temporary.replace(self.file)
        return self.file
