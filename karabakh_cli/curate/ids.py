"""Ids made from a record's own words, in the style of the shipped base: ``q-aliyev-sovereignty``."""

from __future__ import annotations

import re
from collections.abc import Callable

from karabakh_cli.text import fold

# An id is its prefix and this many words of the record's text.
ID_WORDS = 3
# Words too common to tell one record's id from another's.
_ID_STOPWORDS = frozenset([
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "by", "from",
    "with", "as", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that",
    "these", "those", "will", "would", "has", "have", "had", "i", "we", "you", "he", "she",
    "they", "me", "us", "them", "my", "our", "your", "his", "her", "their",
])  # fmt: skip


def words(text: str) -> list[str]:
    """The words of ``text`` in lower-case ASCII; apostrophes join (O'Brien -> obrien)."""
    return re.findall(r"[a-z0-9]+", fold(re.sub(r"['’]", "", text)))


def slug(text: str) -> str:
    """``Ilham Aliyev`` -> ``ilham-aliyev``; letters kb cannot spell in ASCII are left out."""
    return "-".join(words(text))


def leading_words(text: str) -> str:
    """The first ID_WORDS words of ``text`` that tell it apart, joined by hyphens."""
    every = words(text)
    telling = [word for word in every if word not in _ID_STOPWORDS] or every
    return "-".join(telling[:ID_WORDS])


def unique_id(wanted: str, is_taken: Callable[[str], bool]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``... if it is taken."""
    candidate, number = wanted, 2
    while is_taken(candidate):
        candidate, number = f"{wanted}-{number}", number + 1
    return candidate
