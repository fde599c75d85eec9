"""Reverse attribution (kb who-said): how well a fragment stands for a quote, and which
quotes can score enough to be scored at all. Pure functions over strings and records; no I/O.
Its thresholds are chosen from the paraphrases and invented quotes in ``tests/lookup/test_match.py``.
"""

from __future__ import annotations

import functools
import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

import msgspec
from rapidfuzz import fuzz, process

from karabakh_cli.lookup.match import STOPWORDS, WORD, WordIndex
from karabakh_cli.model import Quote
from karabakh_cli.text import (
    fold,
    spell_out_contractions,
    spell_out_contractions_in,
)

# Words that flip what a sentence says: a fragment and a quote must agree on them.
_NEGATIONS = frozenset(
    ["not", "no", "never", "nor", "none", "nothing", "without", "cannot", "nobody", "neither"]
)

_NEGATION_REACH = 2

# Quote and fragment words at least this similar count as the same word (mediated/mediation).
WORD_THRESHOLD = 70
# who-said answers only with quotes whose score reaches this; see tests/lookup/test_match.py for
# the invented fragments (highest 70) and paraphrases (lowest 74) it was chosen from.
WHO_SAID_THRESHOLD = 75
# When no quote can reach the threshold, how many of those closest to it are scored, so
# that the caller can name the nearest miss.
_NEAREST_MISSES = 20
# How many steps down from the threshold the nearest misses are looked for in, at most.
_MARKS = 4
# More than the rounding error of summing a few scores in another order, less than any step
# of the scores themselves (0.1).
_ROUNDING = 0.06


def _attribution_form(text: str) -> str:
    """The form of a text whose words attribution compares; who-said's word index is built
    from it too, so the two always agree."""
    return spell_out_contractions(fold(text))


# who-said splits its fragment once per quote it scores, and each quote twice.
@functools.lru_cache(maxsize=256)
def _words(text: str) -> tuple[str, ...]:
    return tuple(WORD.findall(_attribution_form(text)))


def _content_words(words: Sequence[str]) -> list[str]:
    return [word for word in words if word not in STOPWORDS and word not in _NEGATIONS]


def _polarity(words: Sequence[str]) -> int:
    return sum(word in _NEGATIONS for word in words) % 2


def _nearest_occurrences(occurrences: list[list[int]]) -> list[int]:
    """One position per matched word: a word the quote holds twice ("the Russians ... the
    Russians") is placed where the words that occur once are."""
    anchors = [places[0] for places in occurrences if len(places) == 1] or [
        places[0] for places in occurrences
    ]
    if not anchors:
        return []
    centre = sorted(anchors)[len(anchors) // 2]
    return [
        places[0] if len(places) == 1 else min(places, key=lambda place: abs(place - centre))
        for places in occurrences
    ]


# Where a sentence starts within a fragment: a name right after this is not told apart by case.
_SENTENCE_END = frozenset(".!?")
# The most a fragment scores when the quote lacks one of its proper names, as for a negation.
_LACKING_NAME_CAP = 50.0


# who-said asks it of one fragment for every quote it scores.
@functools.lru_cache(maxsize=16)
def _capitalised_words(fragment: str) -> tuple[str, ...]:
    """The fragment's words that start with a capital, except each sentence's first word
    (so "These talks" holds no name, "the Turks" holds "Turks")."""
    names: list[str] = []
    sentence_start = True
    for word in re.finditer(r"\S+", fragment):
        token = word.group()
        letters = token.lstrip("\"“‘'([«")
        if letters and letters[0].isupper() and not sentence_start:
            names.append(letters)
        sentence_start = token.rstrip("\"”’')]»")[-1:] in _SENTENCE_END
    return tuple(names)


def lacking_names(fragment: str, quote_text: str) -> list[str]:
    """The fragment's proper names (capitalised words past a sentence's start, stopwords
    aside) that match no word of the quote: "Turkish" against a quote that says "Russian".

    Changing who does something changes what a quote says as much as a negation does.
    """
    return _lacking_names(fragment, _words(quote_text))


def _lacking_names(fragment: str, quote_words: Sequence[str]) -> list[str]:
    names = _capitalised_words(fragment)
    if not names:
        return []
    lacking: list[str] = []
    for name in names:
        words = _content_words(_words(name))
        if any(
            max((fuzz.ratio(word, candidate) for candidate in quote_words), default=0.0)
            < WORD_THRESHOLD
            for word in words
        ):
            lacking.append(name.rstrip(".,;:!?\"”’')]»"))
    return lacking


class _Attribution:
    """One fragment's attribution scoring, ready for any number of quotes: its content words
    found once, and each distinct quote word compared with them once, however many quotes
    hold it (scoring thousands of quotes compares the same few hundred words again and again).
    """

    def __init__(self, fragment: str) -> None:
        self.fragment = fragment
        fragment_words = _words(fragment)
        self.polarity = _polarity(fragment_words)
        content = _content_words(fragment_words)
        self.distinct = list(dict.fromkeys(content))
        # Each content word, repeats included and in order: its length, its distinct word.
        self.content = [(len(word), self.distinct.index(word)) for word in content]
        self.near: dict[str, list[tuple[int, float]]] = {}

    def _compare(self, quote_word: str) -> list[tuple[int, float]]:
        """The distinct content words near enough to ``quote_word`` to count, with how near."""
        near = [
            (place, similarity)
            for place, word in enumerate(self.distinct)
            if (similarity := fuzz.ratio(word, quote_word, score_cutoff=WORD_THRESHOLD))
        ]
        self.near[quote_word] = near
        return near

    def score(self, quote_words: Sequence[str]) -> float:
        """attribution_score of the fragment for the quote whose words are ``quote_words``."""
        if not self.content or not quote_words:
            return 0.0
        # Each distinct content word's best similarity and the quote's words that have it.
        best = [0.0] * len(self.distinct)
        places: list[list[int]] = [[] for _ in self.distinct]
        for position, quote_word in enumerate(quote_words):
            near = self.near.get(quote_word)
            for place, similarity in self._compare(quote_word) if near is None else near:
                if similarity > best[place]:
                    best[place] = similarity
                    places[place] = [position]
                elif similarity == best[place]:
                    places[place].append(position)
        total = earned = 0.0
        occurrences: list[list[int]] = []
        for length, place in self.content:
            total += length
            if places[place]:
                earned += length * best[place] / 100
                occurrences.append(places[place])
        positions = _nearest_occurrences(occurrences)
        score = 100 * earned / total
        if positions:
            # A negation sits just before or after the words it flips: "will not participate".
            start = max(0, min(positions) - _NEGATION_REACH)
            stretch = quote_words[start : max(positions) + _NEGATION_REACH + 1]
            if _polarity(stretch) != self.polarity:
                score = min(score, 50.0)
        if score > _LACKING_NAME_CAP and _lacking_names(self.fragment, quote_words):
            score = _LACKING_NAME_CAP
        return round(score, 1)


# who-said scores one fragment against many quotes, each with the same comparisons.
@functools.lru_cache(maxsize=16)
def _attribution(fragment: str) -> _Attribution:
    return _Attribution(fragment)


def attribution_score(fragment: str, quote_text: str) -> float:
    """How well ``fragment`` stands for ``quote_text``, 0-100: one quote scored on its own,
    the reference who_said's shared scoring (_Attribution) equals.

    The share of the fragment's content words (weighted by length, so rare long words count
    more) found in the quote, each credited by how similar its best match is. A fragment
    whose negations disagree with the stretch of the quote it matches, give or take two
    words ("the Russians will participate" against "the Russians will not participate"),
    scores at most half; so does one naming someone the quote does not (``lacking_names``).
    """
    return _attribution(fragment).score(_words(quote_text))


def attribution_forms(texts: list[str]) -> list[str]:
    """The form of each text whose words attribution compares (as ``_attribution_form``),
    with the contractions of all the texts looked for at once."""
    return spell_out_contractions_in([fold(text) for text in texts])


# The quotes a bound is summed for: those holding a word of each list (see quotes_to_score).
Among = Sequence[Sequence[str]]
# Each content word of a fragment with its share of the fragment's weight.
Weights = dict[str, float]
# Each content word with the words of all quotes near it, and how near, best first.
Near = dict[str, list[tuple[str, float]]]


class Summed(Protocol):
    """The bound of each quote holding a word near a content word and a word of each group,
    as ``_bounds`` sums them: what quotes_to_score asks of them."""

    def reaching(self, at_least: float) -> list[int]:
        """The quotes (by position) whose bound is at least ``at_least``, in order."""

    def best(self, count: int) -> list[tuple[int, float]]:
        """The ``count`` quotes of highest bound, ties by position, with their bounds, best
        first."""


# The bounds of the quotes holding a word of each group of Among, for the fragment's weights
# and near words.
Summing = Callable[[Weights, Near, Among], Summed]


class _Earned:
    """Bounds summed one posting at a time into a dict (``_bounds``): the reference."""

    def __init__(self, earned: dict[int, float]) -> None:
        self.earned = earned

    def reaching(self, at_least: float) -> list[int]:
        return sorted(index for index, bound in self.earned.items() if bound >= at_least)

    def best(self, count: int) -> list[tuple[int, float]]:
        return heapq.nsmallest(count, self.earned.items(), key=lambda item: (-item[1], item[0]))


def summing(holding: Callable[[str, Among], Iterable[int]]) -> Summing:
    """Bounds summed from ``holding(word, among)``, the quotes holding ``word`` among those
    holding a word of each group in ``among`` (or any superset of them: see quotes_to_score)."""
    return lambda weights, near, among: _Earned(_bounds(weights, near, holding, among))


def quotes_to_score(
    fragment: str,
    vocabulary: Iterable[str],
    sums: Summing,
    at_least: float = WHO_SAID_THRESHOLD,
    *,
    narrows: bool = True,
) -> list[int]:
    """The quotes (by position) whose score for ``fragment`` can reach ``at_least``, from the
    distinct words of all quotes and ``sums``, their bounds; when none can, the few that come
    closest. who_said and the derived index both choose with it.

    The bound is each quote's score before the negation and lacking-name rules, which only
    lower a score: a content word counts (as often as the fragment holds it) by its best match
    in the quote, which is the first one met since rapidfuzz lists the near words best first.

    A quote missing every content word of a heavy enough group cannot reach ``at_least``
    (``_groups_to_hold``), so ``sums(weights, near, among)`` need only sum the bounds of the
    quotes holding a word of each group in ``among``. Unless it ``narrows`` so, summing them
    for every quote whatever ``among``, the bounds are summed once, for every quote.
    """
    content = _content_words(_words(fragment))
    if not content:
        return []
    candidates = list(vocabulary)
    total = sum(len(word) for word in content)
    weights = {word: len(word) * repeats / total for word, repeats in Counter(content).items()}
    near = {
        word: [
            (candidate, similarity)
            for candidate, similarity, _ in process.extract(
                word, candidates, scorer=fuzz.ratio, score_cutoff=WORD_THRESHOLD, limit=None
            )
        ]
        for word in weights
    }
    earned: Summed | None = None
    closest: list[float] = []
    summed: list[list[str]] | None = None
    # When none reaches ``at_least``, the nearest misses are looked for among the quotes
    # reaching a lower mark (at 0, every quote): the groups of a mark hold every quote whose
    # bound reaches it, so once some _NEAREST_MISSES quotes reach it, the closest are those.
    mark = at_least if narrows else 0.0
    while True:
        among = _groups_to_hold(weights, near, mark)
        # A mark no quote can reach (None) has nothing to sum, as before the first pass.
        if among != summed and among is not None:
            summed = among
            earned = sums(weights, near, among)
            # The sums run in another order than attribution_score's, so a bound a rounding
            # error below the threshold still goes on to the exact score.
            reaching = earned.reaching(at_least - _ROUNDING)
            if reaching:
                return reaching
            closest = [bound for _, bound in earned.best(_NEAREST_MISSES)]
        enough = len(closest) == _NEAREST_MISSES
        if among == [] or (enough and closest[-1] >= mark - _ROUNDING):
            break
        # Enough quotes reach the bound of the last of the closest found so far: at that mark
        # they are all among the groups, and the next pass is the last.
        mark = closest[-1] if enough else max(0.0, mark - at_least / _MARKS)
    nearest = earned.best(_NEAREST_MISSES) if earned is not None else []
    return sorted(index for index, _ in nearest)


def _groups_to_hold(weights: Weights, near: Near, at_least: float) -> list[list[str]] | None:
    """Groups of words (of all quotes) such that a quote holding no word of one of them
    cannot reach ``at_least``; None when no quote can.

    Missing every word near a group of content words, a quote earns at most the other content
    words' weights: 100 times what is left of the fragment's weight. The heaviest words make
    groups of one (the words a quote must hold), lighter ones groups of several.
    """
    groups: list[list[str]] = []
    words: list[str] = []
    weight = 0.0
    for word in sorted(weights, key=lambda word: -weights[word]):
        words += [candidate for candidate, _ in near[word]]
        weight += weights[word]
        # Twice the rounding allowance: the weights' sums carry errors of their own.
        if 100 * (1 - weight) < at_least - 2 * _ROUNDING:
            if not words:
                return None
            groups.append(words)
            words, weight = [], 0.0
    return groups


def _bounds(
    weights: Weights,
    near: Near,
    holding: Callable[[str, Among], Iterable[int]],
    among: Among,
) -> dict[int, float]:
    """The bound of each quote ``holding`` gives for the words near a content word."""
    earned: dict[int, float] = defaultdict(float)
    for word, weight in weights.items():
        credited: set[int] = set()
        for candidate, similarity in near[word]:
            for index in holding(candidate, among):
                if index not in credited:
                    credited.add(index)
                    earned[index] += weight * similarity
    return earned


class Scored(msgspec.Struct, frozen=True):
    """A quote with its attribution score."""

    quote: Quote
    score: float


def who_said(
    fragment: str, quotes: Sequence[Quote], at_least: float = WHO_SAID_THRESHOLD
) -> list[Scored]:
    """Every quote that scores ``at_least`` for ``fragment``, best first; when there is none,
    the few that come closest (callers apply the threshold).

    Before the negation and lacking-name rules, which only lower a score, a quote's score depends only on
    which of its distinct words are near each content word of the fragment. rapidfuzz
    compares each content word with the distinct words of all quotes once, which gives
    that score for every quote; only the quotes it lets reach ``at_least`` are scored word
    by word. So no quote that could reach the threshold is left out, however large the base.
    """
    forms = attribution_forms([quote.text for quote in quotes])
    words = WordIndex(forms, _as_it_is)
    reaching = quotes_to_score(
        # Every posting is at hand here: a word's quotes are found as fast among all as
        # among some.
        fragment,
        words.vocabulary(),
        summing(lambda word, among: words.holding(word)),
        at_least,
        narrows=False,
    )
    attribution = _attribution(fragment)
    # A score depends on the quote's words only: records sharing a text (a quote reported by
    # every wire) are scored once.
    scores: dict[str, float] = {}
    scored: list[Scored] = []
    for index in reaching:
        score = scores.get(forms[index])
        if score is None:
            score = scores[forms[index]] = attribution.score(words.words_of(index))
        scored.append(Scored(quotes[index], score))
    scored.sort(key=lambda item: -item.score)
    return scored


def _as_it_is(text: str) -> str:
    return text
