"""Fuzzy matching with rapidfuzz: speaker names, full-text search, reverse attribution.

Pure functions over strings and records; no I/O. Every threshold here is chosen from the
spellings, typos, non-names, paraphrases and invented quotes in ``tests/test_match.py``
and documented in the README.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import itertools
import re
import string
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

import msgspec
from rapidfuzz import fuzz, process, utils

from karabakh_cli.model import Person, Quote
from karabakh_cli.text import (
    SPELLED_OUT_WORDS,
    fold,
    spell_out_contractions,
    spell_out_contractions_in,
)

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


def name_words(text: str) -> list[str]:
    return [word for word in WORD.findall(fold(text)) if word not in NAME_NOISE]


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


class _WordIndex:
    """The words of many texts (``\\w+`` runs of each text's ``normalise``d form), laid out
    for fast look-ups: one line of space-separated words a text, so that finding which texts
    hold a word is a byte search, never a regular expression call per text or per word."""

    def __init__(self, texts: Sequence[str], normalise: Callable[[str], str]) -> None:
        joined = "\x00".join(texts)
        if joined.count("\x00") != max(len(texts) - 1, 0):
            joined = "\x00".join(" ".join(WORD.findall(normalise(text))) for text in texts)
        elif normalise is fold and joined.isascii():
            # Lower-casing is all ``fold`` does to ASCII: one call for every text at once.
            joined = joined.lower()
        else:
            # Only the texts that need it take fold's slow path; ASCII forms are split into
            # words by the byte table below, only the others by the regular expression.
            forms = (
                text.lower() if normalise is fold and text.isascii() else normalise(text)
                for text in texts
            )
            joined = "\x00".join(
                form if form.isascii() else " ".join(WORD.findall(form)) for form in forms
            )
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
        self.words = _WordIndex([spelling for _, spelling in self.spellings], fold)
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
    return _Spellings(people).matches(query_words, at_least) if query_words else []


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
_STOPWORDS = frozenset(
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
# Words that flip what a sentence says: a fragment and a quote must agree on them.
_NEGATIONS = frozenset(
    ["not", "no", "never", "nor", "none", "nothing", "without", "cannot", "nobody", "neither"]
)

_NEGATION_REACH = 2

# Quote and fragment words at least this similar count as the same word (mediated/mediation).
WORD_THRESHOLD = 70
# who-said answers only with quotes whose score reaches this; see tests/test_match.py for
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
    return [word for word in words if word not in _STOPWORDS and word not in _NEGATIONS]


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
    return [min(places, key=lambda place: abs(place - centre)) for places in occurrences]


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


def quotes_to_score(
    fragment: str,
    vocabulary: Iterable[str],
    holding: Callable[[str, Among], Iterable[int]],
    at_least: float = WHO_SAID_THRESHOLD,
    *,
    narrows: bool = True,
) -> list[int]:
    """The quotes (by position) whose score for ``fragment`` can reach ``at_least``, from the
    distinct words of all quotes and ``holding``, the quotes holding a word; when none can,
    the few that come closest. who_said and the derived index both choose with it.

    The bound is each quote's score before the negation and lacking-name rules, which only
    lower a score: a content word counts (as often as the fragment holds it) by its best match
    in the quote, which is the first one met since rapidfuzz lists the near words best first.

    A quote missing every content word of a heavy enough group cannot reach ``at_least``
    (``_groups_to_hold``), so ``holding(word, among)`` need only give the quotes holding
    ``word`` among those holding a word of each group in ``among``. Unless it ``narrows``
    so, giving every quote holding ``word`` whatever ``among``, the bounds are summed once,
    for every quote.
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
    earned: dict[int, float] = {}
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
            earned = _bounds(weights, near, holding, among)
            # The sums run in another order than attribution_score's, so a bound a rounding
            # error below the threshold still goes on to the exact score.
            reaching = [index for index, bound in earned.items() if bound >= at_least - _ROUNDING]
            if reaching:
                return sorted(reaching)
            closest = heapq.nlargest(_NEAREST_MISSES, earned.values())
        enough = len(closest) == _NEAREST_MISSES
        if among == [] or (enough and closest[-1] >= mark - _ROUNDING):
            break
        # Enough quotes reach the bound of the last of the closest found so far: at that mark
        # they are all among the groups, and the next pass is the last.
        mark = closest[-1] if enough else max(0.0, mark - at_least / _MARKS)
    nearest = heapq.nsmallest(_NEAREST_MISSES, earned.items(), key=lambda item: (-item[1], item[0]))
    return sorted(index for index, _ in nearest)


def _groups_to_hold(
    weights: dict[str, float], near: dict[str, list[tuple[str, float]]], at_least: float
) -> list[list[str]] | None:
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
    weights: dict[str, float],
    near: dict[str, list[tuple[str, float]]],
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
    words = _WordIndex(forms, _as_it_is)
    reaching = quotes_to_score(
        # Every posting is at hand here: a word's quotes are found as fast among all as
        # among some.
        fragment,
        words.vocabulary(),
        lambda word, among: words.holding(word),
        at_least,
        narrows=False,
    )
    attribution = _attribution(fragment)
    scored = [Scored(quotes[index], attribution.score(words.words_of(index))) for index in reaching]
    scored.sort(key=lambda item: -item.score)
    return scored


def _as_it_is(text: str) -> str:
    return text


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
    return [word for word in words if word not in _STOPWORDS] or words


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
