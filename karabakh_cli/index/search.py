"""`kb search` answered from the derived index: the rows its tables hold, and the records a
search must score, chosen from them. Never prints.

Why the texts chosen include every text that can match is argued in docs/search-preselection.md;
the functions here cite its claims by name.
"""

from __future__ import annotations

import functools
import itertools
from array import array
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import Indel

from karabakh_cli import model
from karabakh_cli.lookup import searching
from karabakh_cli.text import spell_out_contractions

if TYPE_CHECKING:
    import sqlite3

    from karabakh_cli.lookup.loaded import Filters

SCHEMA = """
-- The words of each searched text's default_process form, keyed by its place among the
-- searched texts (KEY_BITS): P holds no ASCII character but letters, digits and spaces,
-- so the ascii tokenizer splits it at its spaces only. Only which texts hold a word is
-- asked: no text kept, no positions, no sizes (a third faster to fill than with sizes).
create virtual table search_word using fts5 (
    words, content = '', detail = none, columnsize = 0, tokenize = 'ascii'
);
create virtual table search_word_vocabulary using fts5vocab (search_word, 'row');
create table search_short (key integer primary key, length integer not null);
create table search_date (key integer primary key, first integer not null, last integer not null);
"""

# A searched text's key: its kind's place in model.SEARCHED_KINDS above these bits, its record's
# position below, so that keys run in the order search lists equal hits.
KEY_BITS = 40
POSITION = (1 << KEY_BITS) - 1
# Beyond this many query words, texts scoring one typo for some are scored one by one rather
# than in groups of every mix of exact and one-typo words.
_MOST_MIXES = 64
# Texts up to this long are listed (*Short and spelled-out texts*, docs/search-preselection.md): a query word longer than this is looked for by
# reading the base whole.
LONGEST_WORD = 64
# More vocabulary words than this for one query word make an expression too costly to run:
# such a query reads the base whole.
_MOST_WORDS = 10_000


def _day(date: tuple[int, int, int]) -> int:
    year, month, day = date
    return (year * 100 + month) * 100 + day


@functools.lru_cache(maxsize=4096)
def _days(date: str) -> tuple[int, int]:
    """The first and last day a partial date can be: a base's records share few dates, each
    parsed once."""
    parsed = model.parse_partial_date(date)
    return _day(parsed.covers_start()), _day(parsed.covers_end())


# Where search_rows' three lists go, in their order.
INSERTS = (
    "insert into search_word (rowid, words) values (?, ?)",
    "insert into search_short values (?, ?)",
    "insert into search_date values (?, ?, ?)",
)


Row = tuple[int | str, ...]


def search_rows(
    collection: str, numbered: Iterable[tuple[int, model.Record]]
) -> tuple[list[Row], list[Row], list[Row]]:
    """The rows of the search tables (INSERTS) for a batch of ``collection``'s records with
    their positions: each searched text's words, the short ones' lengths, the dated ones' days."""
    kind = model.KIND_BY_COLLECTION[collection]
    searchable = kind.searchable
    words: list[Row] = []
    short: list[Row] = []
    dates: list[Row] = []
    if searchable is None:
        return words, short, dates
    rank = model.SEARCHED_KINDS.index(kind.name) << KEY_BITS
    for position, record in numbered:
        key = rank | position
        processed = utils.default_process(searchable(record))
        words.append((key, processed))
        if len(processed) <= LONGEST_WORD:
            short.append((key, len(processed)))
        if kind.dated:
            # A dated kind's records all have a date.
            dates.append((key, *_days(record.date)))  # type: ignore[attr-defined]
    return words, short, dates


def vocabulary(connection: sqlite3.Connection) -> dict[str, bytes]:
    """The meta rows of the searched words: each distinct word and how many texts hold it."""
    rows = connection.execute("select term, doc from search_word_vocabulary").fetchall()
    return {
        "search_vocabulary": "\n".join(word for word, _ in rows).encode(),
        "search_documents": array("q", (count for _, count in rows)).tobytes(),
    }


class Preselection(NamedTuple):
    """What decides a search: the first hits whose score is known (positions: a text holding
    every query word whole, or one typo away), the texts to score (keys, in the order search
    lists equal hits), and how many known hits are left out."""

    known: list[int]
    unsure: list[int]
    left_out: int


class _Words(NamedTuple):
    """The vocabulary words of one query word: those containing it, those containing a piece,
    and for a word allowed one typo, those scoring it one typo and those that may score more
    at a text's start or end (*One typo*, docs/search-preselection.md)."""

    sure: list[str]
    near: list[str]
    typo: list[str]
    edge: list[str]


def _pieces(word: str, edits: int, cost: dict[str, int]) -> list[str]:
    """``word`` cut into ``edits`` + 1 pieces of at least len(word) // (edits + 1) letters,
    the cut whose pieces ``cost`` least in all (a piece not in ``cost`` costs nothing)."""
    count = edits + 1
    shortest = len(word) // count
    # best[(end, pieces)]: the cheapest cut of word[:end] into that many pieces.
    best: dict[tuple[int, int], tuple[int, list[str]]] = {(0, 0): (0, [])}
    for pieces in range(1, count + 1):
        for end in range(pieces * shortest, len(word) + 1):
            options = [
                (best[(start, pieces - 1)][0] + cost.get(word[start:end], 0), start)
                for start in range((pieces - 1) * shortest, end - shortest + 1)
                if (start, pieces - 1) in best
            ]
            if options:
                total, start = min(options)
                best[(end, pieces)] = (total, [*best[(start, pieces - 1)][1], word[start:end]])
    return best[(len(word), count)][1]


def _vocabulary_words(
    word: str, vocabulary: Sequence[str], documents: Sequence[int]
) -> _Words | None:
    """The vocabulary words holding ``word`` and those holding a piece of it (*Pieces* in
    docs/search-preselection.md), or None when there are too many to look for."""
    edits = searching.search_edits(word)
    shortest = len(word) // (edits + 1)
    found = process.extract(
        word,
        vocabulary,
        scorer=fuzz.partial_ratio,
        score_cutoff=100 * shortest / len(word) - 1e-6,
        limit=None,
    )
    if len(found) > _MOST_WORDS:
        return None
    candidates = [(vocabulary[index], documents[index]) for _, _, index in found]
    cost: dict[str, int] = {}
    if edits:
        for start in range(len(word)):
            for end in range(start + shortest, len(word) + 1):
                piece = word[start:end]
                cost[piece] = sum(count for held, count in candidates if piece in held)
    pieces = _pieces(word, edits, cost)
    near = [held for held, _ in candidates if any(piece in held for piece in pieces)]
    sure = [held for held in near if word in held]
    if searching.search_typos(word) != 1:
        return _Words(sure, near, [], [])
    length = len(word)
    # Indel distances: a stretch of L sharing L - 1 letters is 2 edits away; a start or end of
    # L - 1 letters all shared, 1.
    # A word holding w whole is sure, not a typo.
    typo = [
        held
        for held in near
        if word not in held
        and any(
            Indel.distance(word, held[start : start + length]) <= 2
            for start in range(len(held) - length + 1)
        )
    ]
    edge = [
        held
        for held in near
        if len(held) >= length - 1
        and min(Indel.distance(word, held[: length - 1]), Indel.distance(word, held[1 - length :]))
        <= 1
    ]
    # Point 6: the words that can take part in a stretch reaching the threshold.
    ends, starts = _split_parts(word)
    able = {*sure, *typo, *edge}
    near = [held for held in near if held in able or held.endswith(ends) or held.startswith(starts)]
    return _Words(sure, near, typo, edge)


def _split_parts(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The starts and the ends, of at least half its letters, of ``word`` with a letter left
    out: what a word must end or begin with to hold the longer part of a one-typo stretch
    spanning a space (*Near words*, docs/search-preselection.md)."""
    shortened = {word[:left_out] + word[left_out + 1 :] for left_out in range(len(word))}
    half = len(word) // 2
    return (
        tuple({part[:end] for part in shortened for end in range(half, len(part) + 1)}),
        tuple({part[start:] for part in shortened for start in range(len(part) - half + 1)}),
    )


def _any_of(words: list[str]) -> str:
    """FTS5's expression for texts holding one of ``words``, "" (none) if there are none."""
    # Quoted, a word is a string to FTS5, never an operator such as NOT.
    return " OR ".join(f'"{word}"' for word in words)


def preselect(
    connection: sqlite3.Connection,
    query: str,
    kinds: Iterable[model.RecordKind],
    filters: Filters,
    limit: int | None,
) -> Preselection | None:
    """The records whose scores decide a search for ``query`` with ``kinds``, ``filters`` and
    ``limit``, and how many sure hits are left out; None when the index cannot tell."""
    words = searching.search_words(query)
    if not words:
        return Preselection([], [], 0)
    if len(words[-1]) > LONGEST_WORD:
        return None
    rows = connection.execute(
        "select name, value from meta where name in ('search_vocabulary', 'search_documents')"
    )
    stored = dict(rows.fetchall())
    vocabulary = bytes(stored["search_vocabulary"]).decode().split("\n")
    documents = array("q", bytes(stored["search_documents"]))
    found = [_vocabulary_words(word, vocabulary, documents) for word in words]
    held_words = [held for held in found if held is not None]
    if len(held_words) < len(found):
        return None
    if 2 ** len(words) > _MOST_MIXES:
        held_words = [held._replace(typo=[]) for held in held_words]
    # Point 4: texts no longer than the longest word, and those spelling out may change.
    short = "select key from search_short where length <= ?"
    contracted = _any_of(_contracted(vocabulary)) if searching.spells_out(words) else ""
    undated = filters.since is None and filters.until is None
    dated = "" if undated else " join search_date on search_date.key = {table}.{key}"
    dates: list[int] = []
    if not undated:
        dated += " and search_date.last >= ? and search_date.first <= ?"
        dates = [
            _day(filters.since.covers_start()) if filters.since else 0,
            _day(filters.until.covers_end()) if filters.until else 99_999_999,
        ]
    ranks = [
        model.SEARCHED_KINDS.index(name)
        for name in model.SEARCHED_KINDS
        if name in kinds and (model.KIND[name].dated or undated)
    ]
    # The kinds searched, by the bits of the key above the position: one query for all.
    kinds_in = f" and {{key}} >> {KEY_BITS} in ({', '.join(map(str, ranks))})"
    shorts = (
        "select search_short.key from search_short"
        + dated.format(table="search_short", key="key")
        + " where search_short.length <= ?"
        + kinds_in.format(key="search_short.key")
    )
    texts = (
        "select search_word.rowid from search_word"
        + dated.format(table="search_word", key="rowid")
        + " where search_word match ?"
        + kinds_in.format(key="search_word.rowid")
    )
    known = f"{texts} and search_word.rowid not in ({short})"
    longest = len(words[-1])
    unsure = {key for (key,) in connection.execute(shorts, [*dates, longest])}
    near = _all_of([_any_of(held.near) for held in held_words])
    unsure_texts = _either(
        [_but(near, _all_of([_known(held) for held in held_words])) if near else "", contracted]
    )
    if unsure_texts:
        unsure.update(key for (key,) in connection.execute(texts, [*dates, unsure_texts]))
    first: list[int] = []
    counted = 0
    for level in (_but(level, contracted) for level in _levels(words, held_words)):
        parameters = [*dates, level, longest]
        (count,) = connection.execute(f"select count(*) from ({known})", parameters).fetchone()
        counted += count
        # Keys run in the order search lists equal hits.
        wanted = count if limit is None else min(count, limit - len(first))
        if wanted > 0:
            rows = connection.execute(
                f"{known} order by search_word.rowid limit ?", [*parameters, wanted]
            )
            first += [key & POSITION for (key,) in rows]
    return Preselection(first, sorted(unsure), counted - len(first))


# Put before a word, these make it the end of a contraction (won't, it's, I'm) if it is one.
_CONTRACTED_BEFORE = ("won'", "it'", "i'")


def _contracted(vocabulary: Iterable[str]) -> list[str]:
    """The words a text holds if spelling out may change it (*Short and spelled-out texts*, docs/search-preselection.md).

    A contraction the patterns match is bounded by characters that are not word characters
    (\\b), which default_process makes spaces (it keeps no character that \\w refuses), and
    it lowers only letters the patterns match either way. So a text holding one holds, as a
    whole word, the contraction without an apostrophe ("wont", holding "nt" or "not"), its end
    after an apostrophe ' or ’ ("t", "s", "m", "re", ...), or with ʼ, which is a letter to
    both, a word holding ʼ.
    """
    return [
        word
        for word in vocabulary
        if "ʼ" in word
        or (("nt" in word or "not" in word) and spell_out_contractions(word) != word)
        or (
            len(word) <= 2
            and any(
                spell_out_contractions(before + word) != before + word
                for before in _CONTRACTED_BEFORE
            )
        )
    ]


def _all_of(expressions: list[str]) -> str:
    """FTS5's expression for texts matching every one of ``expressions``, "" (none) if one is."""
    if not all(expressions):
        return ""
    return " AND ".join(f"({expression})" for expression in expressions)


def _but(expression: str, leaving_out: str) -> str:
    return f"({expression}) NOT ({leaving_out})" if leaving_out else expression


def _either(expressions: list[str]) -> str:
    return " OR ".join(f"({expression})" for expression in expressions if expression)


def _one_typo(held: _Words) -> str:
    """The texts scoring exactly one typo for a word (*One typo*, docs/search-preselection.md): holding a word that does,
    neither one holding it whole nor one that may score more at the text's start or end."""
    typo = _any_of(held.typo)
    return _but(typo, _either([_any_of(held.sure), _any_of(held.edge)])) if typo else ""


def _known(held: _Words) -> str:
    return _either([_any_of(held.sure), _one_typo(held)])


def _levels(words: list[str], held_words: list[_Words]) -> list[str]:
    """FTS5 expressions of the texts known to match without reading them, a score at a time,
    best first: each word held whole (100), or for a word allowed one typo, with one typo
    (rapidfuzz's score of L - 1 letters of L in order)."""
    options = []
    for word, held in zip(words, held_words, strict=True):
        typo = fuzz.ratio(word, "\x00" + word[1:])
        choices = [(100.0, _any_of(held.sure)), (typo, _one_typo(held))]
        options.append([choice for choice in choices if choice[1]])
    weight = sum(len(word) for word in words)
    by_score: dict[float, list[str]] = {}
    for mix in itertools.product(*options):
        # As search_texts scores a text: the same sum, in the same order.
        score = round(
            sum(len(word) * value for word, (value, _) in zip(words, mix, strict=True)) / weight,
            1,
        )
        by_score.setdefault(score, []).append(_all_of([expression for _, expression in mix]))
    return [_either(by_score[score]) for score in sorted(by_score, reverse=True)]


def _searched_text(record: model.Record) -> str:
    searchable = model.KIND_BY_STRUCT[type(record)].searchable
    assert searchable is not None, "only searched records are scored"
    return searchable(record)


def best_hits(
    query: str, limit: int, chunks: Iterable[list[tuple[int, model.Record]]]
) -> tuple[list[int], int]:
    """Of the records of ``chunks`` (with their positions, in the order search lists equal
    hits), the positions of the ``limit`` best hits for ``query``, and how many other hits
    there are: scored by searching.search_texts a chunk at a time, then among each chunk's best.

    A hit among the best of all is among the best of its chunk, which ranks the same way.
    """
    best: list[tuple[int, model.Record]] = []
    total = 0
    for chunk in chunks:
        hits, found = searching.search_texts(
            query, [_searched_text(record) for _, record in chunk], limit
        )
        total += found
        # Best first, equal scores in the chunk's order: so among the chunks' best, equal
        # scores stay in the order search lists them.
        best += [chunk[hit.index] for hit in hits]
    hits, _ = searching.search_texts(query, [_searched_text(record) for _, record in best], limit)
    return [best[hit.index][0] for hit in hits], total - len(hits)
