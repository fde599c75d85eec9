"""who-said's bounds (attribution.Summed) summed over bitsets of the quotes holding each word,
not one posting at a time: in a base of few distinct words each is held by a third of all
quotes, and a fragment's near words by millions of postings, where a few hundred quotes can
reach the threshold. Never prints.

A bitset is a Python int whose bit ``k`` stands for the quote at position ``first + k`` (the
first quote's position). The index stores the bitset of each word held by at least one quote
in ``STORED_SHARE`` (``stored``): it is then no larger than the word's postings as 4-byte
positions. The others are made from their postings, which are few.

Each content word adds to a quote's bound the term (weight x similarity) of the first of its
near words the quote holds (attribution._bounds), so for a content word the quotes fall into
disjoint sets, one a term. Counting each term rounded up, in steps of 1/_STEPS of a point, as
a binary number a bit plane at a time (one bitset a bit of every quote's count, added with
the carries of a ripple adder, each a handful of operations on whole bitsets) gives an upper
bound of every quote's bound at once. Only the quotes whose count can reach a mark have their
bounds summed exactly, term by term in the order ``_bounds`` sums them, so each bound is the
same float to the last bit.
"""

from __future__ import annotations

import collections
import heapq
import itertools
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from karabakh_cli.lookup.attribution import Among, Near, Weights

if TYPE_CHECKING:
    import sqlite3

# A word held by at least one quote in this many has its bitset stored in the index.
STORED_SHARE = 32
# Each term is counted in steps of this fraction of a point, rounded up: a count holds at
# most one step per content word more than its bound.
_STEPS = 32

_NONZERO = re.compile(rb"[^\x00]")
# The bits set in each byte.
_BITS = tuple(tuple(bit for bit in range(8) if byte >> bit & 1) for byte in range(256))


def bitset(positions: Iterable[int], first: int) -> int:
    """The bitset of the quotes at ``positions``: each marked "1" in a text of binary digits,
    the first quote's last, by one C loop (a million positions in a tenth of a second), and
    the text read as a number (linear, for base 2)."""
    positions = list(positions)
    if not positions:
        return 0
    span = max(positions) - first + 1
    digits = bytearray(b"0") * span
    # Position ``first + k`` is the digit k places from the end.
    at = map(operator.sub, itertools.repeat(first + span - 1), positions)
    collections.deque(map(digits.__setitem__, at, itertools.repeat(ord("1"))), maxlen=0)
    return int(digits, 2)


def members(bits: int, first: int) -> list[int]:
    """The positions of the quotes in ``bits``, in order: a regular expression skips the
    bytes with no bit set, in C."""
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    found: list[int] = []
    for byte in _NONZERO.finditer(data):
        at = byte.start()
        base = first + 8 * at
        found += [base + bit for bit in _BITS[data[at]]]
    return found


def store(connection: sqlite3.Connection) -> int:
    """Write the bitsets ``stored`` gives of the words of the quotes in the index being built
    at ``connection`` (``quote_word_bits``); the first quote's position, 0 for none."""
    first, last = connection.execute(
        "select min(position), max(position) from record where collection = 'quotes'"
    ).fetchone()
    if first is None:
        return 0

    def postings(word: str) -> Iterator[int]:
        # Quoted, a word is a string to FTS5, never an operator such as NOT.
        rows = connection.execute(
            "select rowid - ? from quote_word where quote_word match ?", (first, f'"{word}"')
        )
        return map(operator.itemgetter(0), rows)

    vocabulary = connection.execute("select term, doc from quote_word_vocabulary")
    connection.executemany(
        "insert into quote_word_bits values (?, ?)",
        [
            (word, bits.to_bytes((bits.bit_length() + 7) // 8, "little"))
            for word, bits in stored(vocabulary, last - first + 1, postings)
        ],
    )
    return int(first)


def stored(
    vocabulary: Iterable[tuple[str, int]], span: int, postings: Callable[[str], Iterable[int]]
) -> Iterator[tuple[str, int]]:
    """The bitset of each word of ``vocabulary`` (each with how many quotes hold it) held by
    at least one quote in STORED_SHARE of the ``span`` positions from the first quote's to the
    last's, from ``postings``, the positions of the quotes holding a word, less the first's."""
    for word, held in vocabulary:
        if held * STORED_SHARE >= span:
            yield word, bitset(postings(word), 0)


class Bitsets:
    """attribution.Summing over bitsets: ``holders(word)``, the bitset of the quotes holding
    ``word``, asked once per word however many passes quotes_to_score makes."""

    def __init__(self, holders: Callable[[str], int], first: int) -> None:
        self.holders = holders
        self.first = first
        self._known: dict[str, int] = {}

    def held(self, word: str) -> int:
        if word not in self._known:
            self._known[word] = self.holders(word)
        return self._known[word]

    def any_of(self, words: Iterable[str]) -> int:
        union = 0
        for word in words:
            union |= self.held(word)
        return union

    def __call__(self, weights: Weights, near: Near, among: Among) -> _Counted:
        # The quotes _bounds sums: those holding a near word, and a word of each group (a
        # group is of near words).
        if among:
            domain = -1
            for group in among:
                domain &= self.any_of(group)
        else:
            domain = self.any_of(word for candidates in near.values() for word, _ in candidates)
        # Each content word's terms, each with the quotes it is the term of: the first near
        # word a quote holds gives it (a term equal to an earlier one joins its quotes).
        terms: list[dict[float, int]] = []
        for word, weight in weights.items():
            held = 0
            sets: dict[float, int] = {}
            for candidate, similarity in near[word]:
                fresh = self.held(candidate) & domain & ~held
                if fresh:
                    held |= fresh
                    term = weight * similarity
                    sets[term] = sets.get(term, 0) | fresh
            if sets:
                terms.append(sets)
        return _Counted(domain, terms, self.first)


class _Counted:
    """The bounds of the quotes in ``domain``: counted for all of them at once, summed
    exactly for those a question needs."""

    def __init__(self, domain: int, terms: list[dict[float, int]], first: int) -> None:
        self.domain = domain
        self.terms = terms
        self.first = first
        steps: list[dict[int, int]] = []
        for sets in terms:
            # Terms a step apart or less may round up to the same count.
            counts: dict[int, int] = {}
            for term, quotes in sets.items():
                counts[_step(term)] = counts.get(_step(term), 0) | quotes
            steps.append(counts)
        most = sum(max(counts, default=0) for counts in steps)
        self.planes = [0] * most.bit_length()
        for counts in steps:
            self._add(counts)

    def _add(self, steps: dict[int, int]) -> None:
        """Add ``steps`` (a count, with the quotes it is added to) to every quote's count."""
        addend = [0] * len(self.planes)
        for count, quotes in steps.items():
            for plane in range(count.bit_length()):
                if count >> plane & 1:
                    addend[plane] |= quotes
        carry = 0
        for plane, bits in enumerate(addend):
            if not bits and not carry:
                continue
            was = self.planes[plane]
            either = was ^ bits
            self.planes[plane] = either ^ carry
            carry = (was & bits) | (carry & either)

    def _at_least(self, count: int) -> int:
        """The quotes whose count is at least ``count``."""
        if count <= 0:
            return self.domain
        if count.bit_length() > len(self.planes):
            return 0
        above, equal = 0, self.domain
        for plane in reversed(range(len(self.planes))):
            bits = self.planes[plane]
            if count >> plane & 1:
                equal &= bits
            else:
                above |= equal & bits
                equal &= ~bits
        return above | equal

    def _summed(self, quotes: int) -> dict[int, float]:
        """The bounds of ``quotes``, each summed as _bounds sums it: its terms in the order of
        the content words, from 0."""
        earned: dict[int, float] = {}
        for sets in self.terms:
            for term, holding in sets.items():
                for position in members(holding & quotes, self.first):
                    earned[position] = earned.get(position, 0.0) + term
        return earned

    def reaching(self, at_least: float) -> list[int]:
        # A bound reaching ``at_least`` has a count reaching its step, less one for the
        # floats' own rounding (see _step).
        earned = self._summed(self._at_least(math.floor(at_least * _STEPS) - 1))
        return sorted(index for index, bound in earned.items() if bound >= at_least)

    def best(self, count: int) -> list[tuple[int, float]]:
        # The ``count``-th highest count, a bit at a time from the highest (a radix select),
        # and the quotes counted at least as high: among them, the ``count``-th highest bound.
        chosen, wanted, kth = self.domain, count, 0
        for plane in reversed(range(len(self.planes))):
            high = chosen & self.planes[plane]
            held = high.bit_count()
            if held >= wanted:
                chosen, kth = high, kth | 1 << plane
            else:
                wanted -= held
                chosen &= ~self.planes[plane]
        earned = self._summed(self._at_least(kth))
        if count and len(earned) >= count:
            # Counts overstate bounds: a quote counted lower may have a higher bound. Every
            # quote whose bound reaches the ``count``-th highest found is counted at least as
            # high as its step, less one (see reaching): those are taken in.
            bound = heapq.nlargest(count, earned.values())[-1]
            lower = math.floor(bound * _STEPS) - 1
            if lower < kth:
                earned = self._summed(self._at_least(lower))
        return heapq.nsmallest(count, earned.items(), key=lambda item: (-item[1], item[0]))


def _step(term: float) -> int:
    """``term`` in steps, rounded up: more than the term, even with the rounding error of the
    product (a term is at most 100, so that error is far below a step)."""
    return math.floor(term * _STEPS) + 1
