"""Fuzzy matching with rapidfuzz: speaker names, and what who-said (attribution.py) and search
(searching.py) share: words, the word index, the stopwords.

Pure functions over strings and records; no I/O. Every threshold here is chosen from the
spellings, typos and non-names in ``tests/lookup/test_match.py`` and documented in docs/matching.md.
"""

from __future__ import annotations

import bisect
import itertools
import re
import string
from collections.abc import Callable, Iterable, Iterator, Sequence

import msgspec
from rapidfuzz import fuzz, process

from karabakh_cli.model import Person
from karabakh_cli.text import fold, fold_each

# A query word must be at least this similar (rapidfuzz ratio, 0-100) to a word of a name.
# One typo or a transliteration variant in a name of five letters or more stays above it
# (aliev/aliyev 91, putn/putin 89); other people's names stay well below (pashinyan, peskov,
# lavrov all under 60 against every word in the base).
NAME_THRESHOLD = 85
# Speakers whose scores are this close to the best are all shown: the lookup cannot tell
# them apart, and choosing one would be a guess.
NEAR_EQUAL = 3
# A name query scoring this or more is taken as the name itself; below it, kb says which
# name it matched.
EXACT = 99

# Words that name no one; titles are dropped so "President Putin" finds Putin.
NAME_NOISE = frozenset(
    [
        "of",
        "the",
        "in",
        "and",
        "de",
        "del",
        "da",
        "von",
        "van",
        "al",
        "el",
        "mr",
        "mrs",
        "ms",
        "dr",
        "sir",
        "president",
        "prime",
        "minister",
        "general",
    ]
)
WORD = re.compile(r"\w+")


def picks_out_someone(word: str) -> bool:
    """Whether a word of a name can tell people apart (titles and particles cannot)."""
    return fold(word) not in NAME_NOISE


# "Putin's" names Putin: the possessive ending is no word of the name.
_POSSESSIVE = re.compile(r"(?<=\w)['’ʼ]s\b", re.IGNORECASE)


def name_words(text: str) -> list[str]:
    """The words of a name that are scored: folded, without a possessive ending, the noise
    words ("of", "Mr") and initials ("V."), which only narrow a match (initials_of)."""
    return [
        word
        for word in WORD.findall(fold(_POSSESSIVE.sub("", text)))
        if word not in NAME_NOISE and not (len(word) == 1 and word.isalpha())
    ]


def initials_of(text: str) -> list[str]:
    """The initials a name is written with ("V. Putin": v), folded."""
    words = WORD.findall(fold(_POSSESSIVE.sub("", text)))
    return [word for word in words if len(word) == 1 and word.isalpha()]


def _has_initials(person: Person, initials: list[str]) -> bool:
    """Whether one spelling of ``person`` has a given name (a word before the last) starting
    with each of ``initials``: "V. Putin" is Vladimir Putin, never another Putin."""
    for spelling in (person.name, *person.aliases):
        starts = {word[0] for word in name_words(spelling)[:-1]}
        if all(initial in starts for initial in initials):
            return True
    return False


class NameMatch(msgspec.Struct, frozen=True):
    """A person a name query matched, with the spelling that matched and the score."""

    person: Person
    score: float
    matched: str


def _name_word_similarity(query: str, word: str, *, endings_differ: bool) -> float:
    """How similar a query word is to a word of a name (rapidfuzz ratio).

    With ``endings_differ``, a query word that is the name word with letters added at its end
    is another word, not a typo: "Aliyeva" is Mehriban Aliyeva, not Ilham Aliyev; "Putinova"
    is not Putin. Such a word scores 0 for a match; for a suggestion it keeps its ratio.
    """
    if endings_differ and len(query) > len(word) and query.startswith(word):
        return 0.0
    return fuzz.ratio(query, word)


def _name_score(query_words: list[str], words: list[str], *, endings_differ: bool = True) -> float:
    """Every query word must match some word of the name; the weakest match counts.

    So "Heydar Aliyev" does not find Ilham Aliyev: "heydar" matches none of his names.
    A one-word query is also compared with the name's words run together, for "ilhamaliyev".
    """
    if not words:
        return 0.0

    def similarity(query: str, word: str) -> float:
        return _name_word_similarity(query, word, endings_differ=endings_differ)

    per_word = min(max(similarity(query, word) for word in words) for query in query_words)
    if len(query_words) > 1:
        return per_word
    return max(per_word, similarity(query_words[0], "".join(words)))


def _ascii_word_table() -> bytes:
    """Bytes to spaces, except word characters (what ``\\w`` matches in ASCII) and the bytes
    of UTF-8 sequences, which only the words of non-ASCII texts bring here; NUL, which joins
    texts, becomes a newline."""
    keep = set(string.ascii_letters.encode() + string.digits.encode() + b"_")
    keep |= set(range(0x80, 0x100))
    table = bytearray(byte if byte in keep else ord(" ") for byte in range(256))
    table[0] = ord("\n")
    return bytes(table)


_WORD_BYTES = _ascii_word_table()


def spaced_words(form: str) -> str:
    """A normalised text's \\w runs, space-separated: an ASCII text as it is, since its
    non-word characters separate words already (for the byte table below, and for FTS5's
    ascii tokenizer, which keeps every non-ASCII character in a word)."""
    return form if form.isascii() else " ".join(WORD.findall(form))


class WordIndex:
    """The words of many texts (``\\w+`` runs of each text's ``normalise``d form), laid out
    for fast look-ups: one line of space-separated words a text, so that finding which texts
    hold a word is a byte search, never a regular expression call per text or per word."""

    def __init__(self, texts: Sequence[str], normalise: Callable[[str], str]) -> None:
        if "\x00".join(texts).count("\x00") != max(len(texts) - 1, 0):
            # NUL joins the texts below: a text holding one is split into words first.
            joined = "\x00".join(" ".join(WORD.findall(normalise(text))) for text in texts)
        else:
            forms = fold_each(texts) if normalise is fold else list(map(normalise, texts))
            joined = "\x00".join(forms)
            if not joined.isascii():
                # ASCII forms are split into words by the byte table below, the others by
                # the regular expression.
                joined = "\x00".join(map(spaced_words, forms))
        # Every word has a space on each side, so b" word " finds it whole.
        self.lines = b" " + joined.encode().translate(_WORD_BYTES).replace(b"\n", b" \n ") + b" "
        # Each line's length and its newline, summed in C: no Python step per text.
        lengths = map(len, self.lines.split(b"\n"))
        self.line_starts = list(itertools.accumulate(map((1).__add__, lengths), initial=0))

    def vocabulary(self) -> set[str]:
        return {word.decode() for word in set(self.lines.split())}

    def words_of(self, index: int) -> list[str]:
        """The words of text ``index``: its line, split as laid out (no regular expression)."""
        return self.lines[self.line_starts[index] : self.line_starts[index + 1]].decode().split()

    def holding(self, word: str) -> Iterator[int]:
        """The index of each text holding ``word``, once for each time it holds it."""
        needle = b" " + word.encode() + b" "
        position = self.lines.find(needle)
        while position >= 0:
            yield bisect.bisect(self.line_starts, position) - 1
            position = self.lines.find(needle, position + len(needle) - 1)


Spelling = tuple[Person, str]


def run_together(folded: list[str]) -> list[str]:
    """Each folded spelling's words run together, without noise words, as the exact score
    runs them: so one cut-off keeps every spelling that can reach it, whether matched here or
    stored in the index. A spelling of letters and digits between spaces (most are) has its
    words in split(): its \\w runs, since re's \\w is str.isalnum or "_"."""
    return [
        squeezed
        if (squeezed := spelling.replace(" ", "")).isalnum()
        and NAME_NOISE.isdisjoint(spelling.split())
        else "".join(word for word in WORD.findall(spelling) if word not in NAME_NOISE)
        for spelling in folded
    ]


class _Spellings:
    """Every spelling (name and aliases) of some people, each folded once, with the
    distinct words they hold: built once per look-up and shared by every query word."""

    def __init__(self, people: Iterable[Person]) -> None:
        self.spellings: list[Spelling] = [
            (person, spelling) for person in people for spelling in (person.name, *person.aliases)
        ]
        self.words = WordIndex([spelling for _, spelling in self.spellings], fold)
        self.vocabulary = list(self.words.vocabulary() - NAME_NOISE)
        self._run_together: list[str] | None = None

    def able_to_reach(self, query_words: list[str], at_least: float) -> list[Spelling]:
        """The spellings that could score ``at_least``: each query word is near one of their
        words (or, for one query word, near all their words run together).

        rapidfuzz compares the distinct words in C and a byte search finds the spellings
        that hold them, so the exact scoring runs on a handful of spellings.
        """
        able: set[int] | None = None
        for query in query_words:
            near = process.extract(
                query, self.vocabulary, scorer=fuzz.ratio, score_cutoff=at_least, limit=None
            )
            holding = {index for word, _, _ in near for index in self.words.holding(word)}
            able = holding if able is None else able & holding
        able = able or set()
        if len(query_words) == 1:
            if self._run_together is None:
                # Without noise words ("president", "of"), as the exact score runs them
                # together: so the same cut-off keeps every spelling that can reach it.
                # The spellings' words, folded once already, one text a line.
                self._run_together = run_together(self.words.lines.decode().split("\n"))
            found = process.extract(
                query_words[0],
                self._run_together,
                scorer=fuzz.ratio,
                score_cutoff=at_least,
                limit=None,
            )
            able.update(index for _, _, index in found)
        return [self.spellings[index] for index in sorted(able)]

    def matches(
        self, query_words: list[str], at_least: float, *, endings_differ: bool = True
    ) -> list[NameMatch]:
        """The people scoring ``at_least`` for ``query_words``, best first.

        Pre-selection compares plain ratios, which are never lower than the score with
        ``endings_differ``, so it keeps every spelling that can reach ``at_least``.
        """
        spellings = self.able_to_reach(query_words, at_least) if at_least else self.spellings
        best: dict[str, NameMatch] = {}
        for person, spelling in spellings:
            score = _name_score(query_words, name_words(spelling), endings_differ=endings_differ)
            if score >= at_least and (person.id not in best or score > best[person.id].score):
                best[person.id] = NameMatch(person, score, spelling)
        return sorted(best.values(), key=lambda match: (-match.score, match.person.name))


def match_people(query: str, people: Iterable[Person], *, at_least: float = 0.0) -> list[NameMatch]:
    """People whose name or an alias scores at least ``at_least`` for ``query``, best first."""
    query_words = name_words(query)
    if not query_words:
        return []
    found = _Spellings(people).matches(query_words, at_least)
    initials = initials_of(query)
    return (
        [match for match in found if _has_initials(match.person, initials)] if initials else found
    )


# A speaker one query word matches this well is offered as a did-you-mean.
SUGGEST_THRESHOLD = 75


def suggested_people(query: str, people: Iterable[Person], limit: int = 3) -> list[NameMatch]:
    """People to suggest when ``query`` names nobody: those one of its words matches,
    so "Heydar Aliyev" suggests Ilham Aliyev and "Putinov" suggests Vladimir Putin (a
    suggestion is not a match, so a name with an added ending is offered too)."""
    spellings = _Spellings(people)
    best: dict[str, NameMatch] = {}
    for word in name_words(query):
        for found in spellings.matches([word], SUGGEST_THRESHOLD, endings_differ=False):
            if found.person.id not in best or found.score > best[found.person.id].score:
                best[found.person.id] = found
    return sorted(best.values(), key=lambda match: (-match.score, match.person.name))[:limit]


def named_people(query: str, people: Iterable[Person]) -> list[NameMatch]:
    """The people ``query`` names: every match within NEAR_EQUAL of the best, if the best
    reaches NAME_THRESHOLD; none otherwise."""
    ranked = match_people(query, people, at_least=NAME_THRESHOLD)
    return [match for match in ranked if match.score >= ranked[0].score - NEAR_EQUAL]


# Words that carry no evidence of who said something.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "by",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "their",
        "they",
        "them",
        "we",
        "us",
        "our",
        "you",
        "your",
        "he",
        "she",
        "his",
        "her",
        "i",
        "me",
        "my",
        "so",
        "than",
        "then",
        "into",
        "about",
        "over",
        "under",
    ]
)
