"""An open, valid index of one exact version of a fact base file, and the partial bases it
answers lookups with: the records a lookup can reach, and those its rows refer to, in the
order of the file. It only preselects, a superset of what can match; the lookup's own code
scores them, so the answers are those of a whole read. Never prints."""

from __future__ import annotations

import functools
import os
from array import array
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from rapidfuzz import fuzz, process

from karabakh_cli import model
from karabakh_cli.base import factbase
from karabakh_cli.base.problems import FactBaseError, Problem
from karabakh_cli.index import location, seal
from karabakh_cli.index.needs import (
    ByFragment,
    ById,
    ByName,
    ByWords,
    Disputes,
    Everyone,
    Wanted,
)
from karabakh_cli.lookup import attribution, match
from karabakh_cli.lookup.loaded import Coverage, Involvement, LoadedBase

if TYPE_CHECKING:
    import sqlite3

# SQLite's limit on bound parameters is 32,766 in recent versions, 999 in old ones.
_CHUNK = 900
# Records a search scores at a time, when it reads them only to keep the best.
_SCORED = 10_000
# How much of the base one read takes in, the records after the one wanted with it.
_READ_AHEAD = 16 * 1024


# What reading a damaged index can raise beyond SQLite's errors: a record that no longer
# decodes (msgspec's errors, a text that is no UTF-8), a blob where a number was, and the like.
_UNDECODABLE: tuple[type[Exception], ...] = (
    msgspec.DecodeError,
    UnicodeDecodeError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    OverflowError,
)


def damage() -> tuple[type[Exception], ...]:
    """What reading a damaged index can raise: each means rebuild it, never a traceback."""
    import sqlite3

    return (sqlite3.Error, *_UNDECODABLE)


def _bound(values: list[Any]) -> Iterator[tuple[list[Any], str]]:
    """``values`` in chunks SQLite binds at once, each with its ``?, ?, ...`` marks."""
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        yield chunk, ", ".join("?" * len(chunk))


class Index:
    """An open, valid index of one exact version of a fact base file, and that file open: the
    records a lookup needs are decoded from the file's own bytes where the index places them."""

    def __init__(self, connection: sqlite3.Connection, key: str) -> None:
        self.connection = connection
        self.key = key
        self.base: int | None = None
        # The bytes of the base last read, and where they start (_text).
        self._read: tuple[int, bytes] = (0, b"")

    @classmethod
    def open(cls, path: Path, status: os.stat_result | None) -> Index | None:
        """The index built from the file ``path`` held with ``status``, or None if there is
        none, or the one there is was built from something else, is not as kb wrote it, or
        cannot be trusted to know of the file's last change (see location.racy)."""
        file = location.location(path) if location.indexable(status) else None
        if file is None or status is None:
            return None
        found = cls._open_file(file, location.key(path, status))
        if found is None:
            return None
        try:
            found.base = location.open_base(path)
            if factbase.identity(os.fstat(found.base)) != factbase.identity(status):
                found.close()
                return None
        except OSError:
            found.close()
            return None
        if not found._knows(path, status):
            found.close()
            return None
        return found

    @classmethod
    def _open_file(cls, file: Path, key: str) -> Index | None:
        """The index in ``file`` if it is kb's, whole, as kb wrote it and of the base keyed
        ``key``."""
        import sqlite3

        with location.opened(file) as found:
            if found is None:
                return None
            fd, name = found
            try:
                if not seal.sealed(fd):
                    return None
                size = os.fstat(fd).st_size
                # Read-only, and immutable: an index is never changed in place, only replaced.
                uri = f"{Path(name).as_uri()}?mode=ro&immutable=1"
                connection = sqlite3.connect(uri, uri=True)
            except (OSError, sqlite3.Error, ValueError):
                return None
        try:
            (pages,) = connection.execute("pragma page_count").fetchone()
            (page_size,) = connection.execute("pragma page_size").fetchone()
            found_key = connection.execute("select value from meta where name = 'key'").fetchone()
            complete = connection.execute("select value from meta where name = 'complete'")
            # A truncated file still opens: its size no longer matches its page count.
            whole = pages * page_size == size and complete.fetchone() == (1,)
            if whole and found_key == (key,):
                return cls(connection, key)
        except sqlite3.Error:
            pass
        connection.close()
        return None

    def _knows(self, path: Path, status: os.stat_result) -> bool:
        """Whether this index, keyed on ``status``, is of the content the file has now: sure
        unless the file changed just before the build started (location.racy), when its
        content must be the one the build recorded."""
        import sqlite3

        try:
            started = self._meta_value("started")
            if not isinstance(started, int):
                return False
            if not location.racy(status, started):
                return True
            recorded = self._meta_value("digest")
        except sqlite3.Error:
            return False
        return bool(recorded) and recorded == location.content_digest(path, status)

    def _meta_value(self, name: str) -> object:
        row = self.connection.execute("select value from meta where name = ?", (name,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.connection.close()
        if self.base is not None:
            os.close(self.base)
            self.base = None

    def __del__(self) -> None:
        # kb people reads an index row by row until its last row is shown, and no sooner.
        if self.base is not None:
            os.close(self.base)
            self.base = None

    def _text(self, start: int, length: int) -> bytes:
        """The bytes of the base from ``start``, ``length`` of them: read ahead, as the
        records a lookup needs are read in the order of the file, often near each other."""
        if self.base is None:
            raise ValueError("the base is not open")
        first, read = self._read
        if not (first <= start and start + length <= first + len(read)):
            read = os.pread(self.base, max(length, _READ_AHEAD), start)
            first = start
            self._read = (first, read)
        return read[start - first : start - first + length]

    def _decoded(self, collection: str, record_id: str, start: int, length: int) -> model.Record:
        """The record the index places at ``start`` in the base, decoded from the base's own
        bytes; ValueError unless they hold a record of this collection with this id (a
        forged or stale index points at the wrong place)."""
        record = _decoder(collection).decode(self._text(start, length))
        if record.id != record_id:
            raise ValueError(f"the base holds {record.id!r} where the index has {record_id!r}")
        return record

    def summary(self) -> dict[str, int]:
        """The records the index covers, by collection."""
        rows = self.connection.execute("select name, value from meta where name like 'count:%'")
        return {name.removeprefix("count:"): int(value) for name, value in rows}

    def facts(self, path: Path, wanted: Wanted) -> LoadedBase | None:
        """The partial base ``wanted`` needs, or None where the index cannot tell which
        records that is: an id no record has (its suggestions need every id), or a search
        the index cannot preselect (see search.preselect)."""
        if isinstance(wanted, ByName):
            return LoadedBase(self._named_base(wanted.name), path)
        if isinstance(wanted, Everyone):
            cited = self._positions(
                "select position from record where id in (select source from involvement)"
            )
            base = self._base(cited, speeches=False, terms=False)
            involvement = functools.partial(self._involvement, path)
            return LoadedBase(base, path, Coverage(involvement=involvement))
        if isinstance(wanted, ByWords):
            return self._searched_base(path, wanted)
        if isinstance(wanted, ById):
            found = self._record_position(wanted.record_id)
            if found is None:
                return None
            positions = [found]
        elif isinstance(wanted, ByFragment):
            positions = self._attributable(wanted.fragment)
            if wanted.speaker is not None:
                named = match.name_words(wanted.speaker)
                positions += self._people_near(named, match.NAME_THRESHOLD, every_word=True)
        elif isinstance(wanted, Disputes):
            positions = self._positions(
                "select position from link union select position from record"
                " where id in (select target from link)"
            )
        else:
            positions = self._positions(
                "select position from record where collection = ?", (wanted.collection,)
            )
        base = self._base(positions, speeches=False, terms=isinstance(wanted, ById))
        return LoadedBase(base, path)

    def _involvement(self, path: Path) -> Iterator[Involvement]:
        """Every person of the base at ``path``, in the order of the file, with their counts:
        one decoded at a time, as the rows are written."""
        try:
            rows = self.connection.execute(
                "select id, start, length, quotes, terms, events from involvement"
                " join record using (position) where collection = 'people' order by position"
            )
            for record_id, start, length, quotes, terms, events in rows:
                person = self._decoded("people", record_id, start, length)
                if not isinstance(person, model.Person):
                    raise TypeError(f"{record_id!r} is no person")
                yield Involvement(person, quotes, terms, events)
        except damage() as error:
            # Found damaged past what opening it checks, with rows written already: it cannot
            # be left for the whole base as a lookup's answer is (_answer). Removed, it is
            # built afresh by the next run.
            location.clear(path)
            problem = Problem(f"its index was damaged ({error}) and is removed; run kb again")
            raise FactBaseError(str(path), [problem]) from None

    def _searched_base(self, path: Path, wanted: ByWords) -> LoadedBase | None:
        """The records whose scores decide a search, those their rows show, and how many hits
        are left out (see search.py)."""
        # Imported by the lookup that needs it: kb's start-up does without.
        from karabakh_cli.index import search

        chosen = search.preselect(
            self.connection, wanted.query, wanted.kinds, wanted.filters, wanted.limit
        )
        if chosen is None:
            return None
        unsure = [key & search.POSITION for key in chosen.unsure]
        left_out = chosen.left_out
        if wanted.limit is not None and len(unsure) > wanted.limit:
            unsure, unseen = search.best_hits(wanted.query, wanted.limit, self._in_chunks(unsure))
            left_out += unseen
        scored = self._records([*chosen.known, *unsure])
        base = self._base(scored, speeches=False, terms=False)
        searched = frozenset(record.id for record in scored.values())
        return LoadedBase(base, path, Coverage(searched=searched, left_out=left_out))

    def _in_chunks(self, positions: list[int]) -> Iterator[list[tuple[int, model.Record]]]:
        """The records at ``positions``, in their order, a chunk at a time: the texts a search
        scores may be most of a large base."""
        for start in range(0, len(positions), _SCORED):
            chunk = positions[start : start + _SCORED]
            records = self._records(chunk)
            yield [(position, records[position]) for position in chunk]

    def _positions(self, sql: str, parameters: Sequence[object] = ()) -> list[int]:
        return [position for (position,) in self.connection.execute(sql, parameters)]

    def _positions_in(self, sql: str, values: Iterable[object]) -> set[int]:
        """``sql``'s positions for every value, asked for in chunks of bound parameters."""
        found: set[int] = set()
        for chunk, marks in _bound(list(values)):
            found.update(self._positions(sql.format(marks=marks), chunk))
        return found

    def _record_position(self, record_id: str) -> int | None:
        """As finding.find_record looks an id up: as written, then in any case (the ids of
        a base that passed the checks are all lower case)."""
        for value in (record_id, record_id.casefold()):
            row = self.connection.execute(
                "select min(position) from record where id = ?", (value,)
            ).fetchone()
            if row and row[0] is not None:
                return int(row[0])
        return None

    def _meta(self, name: str) -> bytes:
        row = self.connection.execute("select value from meta where name = ?", (name,)).fetchone()
        return bytes(row[0]) if row else b""

    def _named_base(self, name: str) -> model.FactBase:
        """What quotes_by needs for ``name``: the people able to reach the name threshold
        and their quotes; when none of them does, the speakers able to reach the suggestion
        threshold, each with one quote (so that it counts as a speaker)."""
        query_words = match.name_words(name)
        named = self._people_near(query_words, match.NAME_THRESHOLD, every_word=True)
        base = self._base(named, speeches=True, terms=False)
        if not query_words or match.named_people(name, base.people):
            return base
        suggested = self._records(
            self._people_near(query_words, match.SUGGEST_THRESHOLD, every_word=False)
        )
        first_quotes = self._positions_in(
            "select min(position) from spoken where speaker in ({marks}) group by speaker",
            [person.id for person in suggested.values()],
        )
        return self._base([*suggested, *first_quotes], speeches=False, terms=False)

    def _people_near(
        self, query_words: list[str], at_least: float, *, every_word: bool
    ) -> set[int]:
        """The people with a spelling able to score ``at_least``, found as match._Spellings
        finds them: a name word near each query word (near one of them, unless
        ``every_word``), or for one query word at a time, the words run together."""
        if not query_words:
            return set()
        vocabulary = self._vocabulary("name_word")
        owners = array("q", self._meta("run_together_people"))
        near = [
            [
                word
                for word, _, _ in process.extract(
                    query, vocabulary, scorer=fuzz.ratio, score_cutoff=at_least, limit=None
                )
            ]
            for query in query_words
        ]
        # People holding a near word of every query word (in any of their spellings: a
        # superset of the spellings that do): one FTS5 query, intersected in C.
        clauses = [near] if every_word else [[words] for words in near]
        people = {
            person
            for clause in clauses
            if all(clause)
            for person in self._holding_all("name_word", clause)
        }
        if len(query_words) == 1 or not every_word:
            run_together = self._meta("run_together").decode().split("\n")
            for query in query_words:
                together = process.extract(
                    query, run_together, scorer=fuzz.ratio, score_cutoff=at_least, limit=None
                )
                people.update(owners[index] for _, _, index in together)
        return people

    def _attributable(self, fragment: str) -> list[int]:
        """The quotes attribution.who_said scores word by word for ``fragment`` over the whole base.

        attribution.who_said's own choice, made from the stored words and the bitsets of the
        quotes holding each (bounds.py): the bounds are counted for every quote at once on
        whole bitsets, and summed one by one only for the quotes able to reach a mark.
        """
        from karabakh_cli.index import bounds

        first = int(self._meta("quote_word_first") or b"0")
        return attribution.quotes_to_score(
            fragment,
            self._vocabulary("quote_word"),
            bounds.Bitsets(functools.partial(self._holders, first), first),
        )

    def _holders(self, first: int, word: str) -> int:
        """The bitset of the quotes holding ``word`` (see bounds.py): stored, for a word many
        hold, else made from its postings."""
        from karabakh_cli.index import bounds

        row = self.connection.execute(
            "select bits from quote_word_bits where word = ?", (word,)
        ).fetchone()
        if row is not None:
            return int.from_bytes(row[0], "little")
        return bounds.bitset(self._holding_all("quote_word", [[word]]), first)

    def _vocabulary(self, table: str) -> list[str]:
        """The distinct words of ``table``, kept as one text: read whole far faster than
        walked through FTS5's vocabulary table."""
        return self._meta(f"{table}_vocabulary").decode().split("\n")

    def _holding_all(self, table: str, clause: Sequence[Sequence[str]]) -> list[int]:
        """The rows of ``table`` holding one word of each list in ``clause``: a quote's
        position, a person's."""
        # Quoted, a word is a string to FTS5, never an operator such as NOT.
        expression = " AND ".join(
            "(" + " OR ".join(f'"{word}"' for word in words) + ")" for words in clause
        )
        return self._positions(f"select rowid from {table} where {table} match ?", (expression,))

    def _base(self, positions: Iterable[int], *, speeches: bool, terms: bool) -> model.FactBase:
        """A fact base of the records at ``positions``, of the quotes of the people among
        them (with ``speeches``), and of what those refer to, in the order of the file."""
        records = self._records(positions)
        speakers = [record.id for record in records.values() if isinstance(record, model.Person)]
        if speeches and speakers:
            records |= self._records(
                self._positions_in(
                    "select position from spoken where speaker in ({marks})", speakers
                )
                - records.keys()
            )
        quotes = [record for record in records.values() if isinstance(record, model.Quote)]
        # Quotes linking to these, for "contradicts" read both ways and for "responses", and
        # the quotes these contradict, which the web page names in a footnote.
        records |= self._records(
            (
                self._positions_in(
                    "select position from link where target in ({marks})",
                    [quote.id for quote in quotes],
                )
                | self._positions_in(
                    "select position from record where id in ({marks})",
                    {target for quote in quotes for target in quote.contradicts},
                )
            )
            - records.keys()
        )
        if terms:
            # A term's number is its place among all terms.
            records |= self._records(
                set(self._positions("select position from record where collection = 'terms'"))
                - records.keys()
            )
        referred = {ref for record in records.values() for ref in _references(record)}
        records |= self._records(
            self._positions_in("select position from record where id in ({marks})", referred)
            - records.keys()
        )
        chosen = [records[position] for position in sorted(records)]
        collections_: dict[str, Any] = {
            kind.collection: [record for record in chosen if isinstance(record, kind.struct)]
            for kind in model.KINDS
        }
        return model.FactBase(schema_version=1, **collections_)

    def _records(self, positions: Iterable[int]) -> dict[int, model.Record]:
        wanted = sorted(positions)
        found: dict[int, model.Record] = {}
        for chunk, marks in _bound(wanted):
            rows = self.connection.execute(
                "select position, collection, id, start, length from record"
                f" where position in ({marks}) order by position",
                chunk,
            )
            for position, collection, record_id, start, length in rows:
                found[position] = self._decoded(collection, record_id, start, length)
        return found


@functools.cache
def _decoder(collection: str) -> msgspec.json.Decoder[model.Record]:
    """The decoder of one collection's records, made when first needed: not at import."""
    return msgspec.json.Decoder(model.COLLECTIONS[collection])


# The fields naming the records a row shows (its source, speaker, actors): every reference
# but the links between quotes, which the partial base holds from the other side.
_SHOWN_REFERENCES = {
    kind.struct: [ref for ref in kind.references if ref.target != "quote"] for kind in model.KINDS
}


def _references(record: model.Record) -> Iterator[str]:
    """The ids of the records ``record``'s row shows."""
    for reference in _SHOWN_REFERENCES[type(record)]:
        value = getattr(record, reference.field)
        yield from (value if reference.many else (value,))
