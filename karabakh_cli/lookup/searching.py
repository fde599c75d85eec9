"""How well a text matches a search (kb search): thresholds, typos, scores and where the match
is. Pure functions over strings; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import msgspec
from rapidfuzz import fuzz, process, utils

from karabakh_cli.lookup.match import STOPWORDS
from karabakh_cli.text import (
    SPELLED_OUT_WORDS,
    spell_out_contractions,
    spell_out_contractions_in,
)


def search_threshold(word: str) -> float:
    """How similar (partial ratio) a text's best stretch must be for a search word to match.

    Short words must occur exactly, or "zebra" would find "celebration"; a word of 6 to 9
    letters may have one typo, a longer one two.
    """
    return 100 * (1 - search_typos(word) / len(word)) - 0.01


def search_typos(word: str) -> int:
    """How many typos a search word may have: none up to 5 letters, one up to 9, two beyond."""
    return 0 if len(word) <= 5 else 1 if len(word) <= 9 else 2


def search_words(query: str) -> list[str]:
    """The words search_texts looks for in ``query``, shortest first: those of two letters or
    more, in the form utils.default_process gives texts, stopwords left out unless all are.

    Words of one length are in alphabetical order: in a set's order, the one giving the
    snippet its place (the last) would change from run to run.
    """
    words = sorted(
        {
            word
            for word in utils.default_process(spell_out_contractions(query)).split()
            if len(word) > 1
        },
        key=lambda word: (len(word), word),
    )
    return [word for word in words if word not in STOPWORDS] or words


def spells_out(words: Iterable[str]) -> bool:
    """Whether a search for ``words`` spells out the contractions of the texts first."""
    return not SPELLED_OUT_WORDS.isdisjoint(words)


# Below any step of a partial ratio between words of up to a few hundred letters, above the
# rounding error of computing one.
_RATIO_SLACK = 1e-6


def search_edits(word: str) -> int:
    """The most edits a stretch of a text can hold and still reach search_threshold(word).

    partial_ratio scores ``word`` (L letters) against each stretch of the text of at most L
    characters (L long, or shorter at the text's start or end) as 200 m / (L + s), m being the
    letters the two have in common in order and s the stretch's length. The edits are the
    word's letters left out (L - m) and the stretch's characters left out (s - m).
    """
    length = len(word)
    threshold = search_threshold(word) - _RATIO_SLACK
    return max(
        (length - common) + (stretch - common)
        for stretch in range(1, length + 1)
        for common in range(stretch + 1)
        if 200 * common / (length + stretch) >= threshold
    )


def _lower_in_place(text: str) -> str:
    """Lower case that keeps every character's offset, so match positions fit the original."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(lower if len(lower := char.lower()) == 1 else char for char in text)


def _where(word: str, text: str) -> tuple[int, int]:
    """Where ``word`` matches in ``text``: found as it is, or where rapidfuzz aligns it."""
    lowered = _lower_in_place(text)
    start = lowered.find(word)
    if start >= 0:
        return start, start + len(word)
    alignment = fuzz.partial_ratio_alignment(word, lowered)
    return (alignment.dest_start, alignment.dest_end) if alignment else (0, 0)


class Hit(msgspec.Struct, frozen=True):
    """A text that matches a search, with its score and where the match is."""

    index: int
    score: float
    start: int
    end: int


def search_texts(
    query: str, texts: Sequence[str], limit: int | None = None
) -> tuple[list[Hit], int]:
    """Texts holding every word of ``query`` (fuzzily, in any order), best first, at most
    ``limit`` of them, and how many there are in all.

    A text's score is the length-weighted mean of its words' partial ratios; the match
    position is that of the query's longest word, for a snippet.
    """
    words = search_words(query)
    if not words:
        return [], 0
    # Each text is prepared once, not once per query word; its contractions are spelled out
    # only when the query looks for a word that spelling out writes ("not" of "won't").
    if spells_out(words):
        texts = spell_out_contractions_in(list(texts))
    prepared = [utils.default_process(text) for text in texts]
    per_word = [
        {
            index: score
            for _, score, index in process.extract(
                word,
                prepared,
                processor=None,
                scorer=fuzz.partial_ratio,
                score_cutoff=search_threshold(word),
                limit=None,
            )
        }
        for word in words
    ]
    common = set.intersection(*(set(scores) for scores in per_word))
    weight = sum(len(word) for word in words)
    scored = [
        (
            round(
                sum(len(word) * scores[index] for word, scores in zip(words, per_word, strict=True))
                / weight,
                1,
            ),
            index,
        )
        for index in common
    ]
    ranked = sorted(scored, key=lambda item: (-item[0], item[1]))
    kept = ranked[:limit] if limit else ranked
    return [Hit(index, score, *_where(words[-1], texts[index])) for score, index in kept], len(
        ranked
    )
