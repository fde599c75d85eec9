"""A reader's words against a quote: verbatim, a quote standing whole inside the reader's
words, altered (with the words that differ), or not this quote. Pure; no I/O.

Verbatim allows only what text.normalise_quoting folds (quotation marks, whitespace) and
letter case. Everything else that differs is a change, named: a contraction spelled out
("won't" / "will not") is the same words to the diff but is still reported, as a change of
its own kind, never passed off as verbatim.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Literal, NamedTuple

import msgspec

from karabakh_cli.lookup.match import STOPWORDS
from karabakh_cli.text import normalise_quoting, spell_out_contractions

# The reader's words are "altered" from a quote when their closest stretches share at least
# this much (difflib's ratio: twice the shared words over both stretches' words) ...
ALTERED_AT = 0.6
# ... and the shared words are at least this share of the reader's words or of the quote's.
COVERED_AT = 0.5

# How many words left over at an end of both stretches are still compared as a substitution.
_EDGE = 3

ChangeKind = Literal["kept", "changed", "added", "dropped", "contraction"]
Kind = Literal["verbatim", "contains", "altered", "none"]

# A word (with the apostrophes inside it) or one punctuation character.
_TOKEN = re.compile(r"\w+(?:['’ʼ]\w+)*|[^\w\s]")
_MARKS = frozenset(['"', "'"])


class Change(msgspec.Struct, frozen=True):
    """A stretch of the diff from the quote to the reader's words."""

    kind: ChangeKind
    quote: str
    """The quote's words as written ("" when the reader added words)."""
    asked: str
    """The reader's words as written ("" when the reader dropped words)."""

    def rendered(self) -> str:
        if self.kind == "kept":
            return self.quote
        if self.kind == "dropped":
            return f"[-{self.quote}-]"
        if self.kind == "added":
            return f"[+{self.asked}+]"
        if self.kind == "contraction":
            return f"[~{self.quote} => {self.asked}~]"
        return f"[-{self.quote}-] [+{self.asked}+]"


class Comparison(msgspec.Struct, frozen=True):
    """What the reader's words are to a quote."""

    kind: Kind
    """verbatim: the words stand in the quote as written (a fragment counts); contains: the
    whole quote stands in them, with words of the reader's own; altered: close, but words
    differ; none: not this quote."""
    changes: tuple[Change, ...] = ()
    """The diff over the stretch of the quote the words match (empty for none)."""
    own: tuple[str, ...] = ()
    """The reader's words outside that stretch, as written: "Aliyev said"."""
    closeness: float = 0.0
    """difflib's ratio of the matched stretches, 1.0 for verbatim and contains."""

    @property
    def contains_quote(self) -> bool:
        return self.kind == "contains"

    @property
    def only_contractions(self) -> bool:
        """Whether the words differ from the quote only by contractions spelled out."""
        kinds = {change.kind for change in self.changes}
        return (
            self.kind == "altered" and "contraction" in kinds and kinds <= {"kept", "contraction"}
        )

    def rendered(self) -> str:
        """The diff as a line: ``restored [-its-] [+our+] sovereignty``."""
        return " ".join(change.rendered() for change in self.changes)


class _Tokens(NamedTuple):
    """A text's tokens: their offsets, their folded forms, and the words the diff compares
    (contractions spelled out), each with the token it comes from."""

    text: str
    spans: list[tuple[int, int]]
    keys: list[str]
    words: list[str]
    origins: list[int]

    def written(self, first: int, last: int) -> str:
        """Tokens ``first`` to ``last`` (inclusive) as written, whitespace runs made one."""
        return " ".join(self.text[self.spans[first][0] : self.spans[last][1]].split())


def _tokens(text: str, *, bare: bool = False) -> _Tokens:
    spans = [found.span() for found in _TOKEN.finditer(text)]
    keys = [normalise_quoting(text[start:end]).casefold() for start, end in spans]
    if bare:
        # The reader's own quotation marks around the words are no part of them.
        while spans and keys[0] in _MARKS:
            del spans[0], keys[0]
        while spans and keys[-1] in _MARKS:
            del spans[-1], keys[-1]
    words: list[str] = []
    origins: list[int] = []
    for index, key in enumerate(keys):
        spelled = spell_out_contractions(key).split() or [key]
        words += spelled
        origins += [index] * len(spelled)
    return _Tokens(text, spans, keys, words, origins)


def _stands_in(needle: list[str], haystack: list[str]) -> int | None:
    """Where ``needle`` stands whole in ``haystack``, or None."""
    if not needle or len(needle) > len(haystack):
        return None
    found = SequenceMatcher(None, haystack, needle, autojunk=False).find_longest_match(
        0, len(haystack), 0, len(needle)
    )
    return found.a if found.size == len(needle) else None


def _word_aligned_in(needle: str, haystack: str) -> bool:
    return bool(needle) and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None


def compare(asked: str, quote_text: str, *, scored_a_match: bool = False) -> Comparison:
    """What ``asked``, a reader's words, are to ``quote_text``. With ``scored_a_match`` (who-said
    scored the quote past its threshold), words that differ are altered however far apart: the
    diff is then what tells the reader how far the words are from the quote."""
    quote = _tokens(quote_text)
    words = _tokens(asked, bare=True)
    plain = normalise_quoting(asked).casefold()
    plain_quote = normalise_quoting(quote_text).casefold()
    if (
        (plain and plain == plain_quote)
        or _word_aligned_in(plain.strip("\"' "), plain_quote)
        or (words.keys and _stands_in(words.keys, quote.keys) is not None)
    ):
        written = " ".join(asked.split())
        return Comparison("verbatim", (Change("kept", written, written),), (), 1.0)
    whole = _tokens(asked)
    at = _stands_in(quote.keys, whole.keys)
    if at is not None:
        own = _own(whole, at, at + len(quote.keys) - 1)
        last = at + len(quote.keys) - 1
        kept = Change("kept", quote.written(0, len(quote.keys) - 1), whole.written(at, last))
        return Comparison("contains", (kept,), own, 1.0)
    return _altered(words, quote, scored_a_match)


def _own(tokens: _Tokens, first: int, last: int) -> tuple[str, ...]:
    """The words of ``tokens`` before ``first`` and after ``last``, as written, without the
    punctuation at their edges."""
    words = [index for index, key in enumerate(tokens.keys) if _is_word(key)]
    before = [index for index in words if index < first]
    after = [index for index in words if index > last]
    pieces = [tokens.written(side[0], side[-1]) for side in (before, after) if side]
    return tuple(pieces)


def _is_word(key: str) -> bool:
    return key[0].isalnum() or key[0] == "_"


def _altered(asked: _Tokens, quote: _Tokens, scored_a_match: bool) -> Comparison:
    matcher = SequenceMatcher(None, asked.words, quote.words, autojunk=False)
    blocks = [block for block in matcher.get_matching_blocks() if block.size]
    shared = [word for block in blocks for word in asked.words[block.a : block.a + block.size]]
    if not any(word not in STOPWORDS and word[0].isalnum() for word in shared):
        return Comparison("none")
    asked_from, asked_to = blocks[0].a, blocks[-1].a + blocks[-1].size
    quote_from, quote_to = blocks[0].b, blocks[-1].b + blocks[-1].size
    # As many words left over at an end on each side are a substitution there ("we will not
    # leave" / "we won't stay"); otherwise the reader's are their own and the quote's are
    # beyond the fragment.
    if asked_from == quote_from <= _EDGE:
        asked_from = quote_from = 0
    if len(asked.words) - asked_to == len(quote.words) - quote_to <= _EDGE:
        asked_to, quote_to = len(asked.words), len(quote.words)
    if scored_a_match:
        # Every word the reader typed is in the diff: what lies beyond the shared words at an
        # end stands against as many of the quote's words there ("will not [-participate-]
        # [+take part in this dialogue+]"); the rest of a long quote is simply not quoted.
        quote_from -= min(asked_from, quote_from)
        quote_to += min(len(asked.words) - asked_to, len(quote.words) - quote_to)
        asked_from, asked_to = 0, len(asked.words)
    closeness = 2 * len(shared) / (asked_to - asked_from + quote_to - quote_from)
    covered = len(shared) / min(len(asked.words), len(quote.words))
    if not scored_a_match and (closeness < ALTERED_AT or covered < COVERED_AT):
        return Comparison("none", closeness=round(closeness, 3))
    changes = _changes(asked, quote, (asked_from, asked_to), (quote_from, quote_to))
    own = _own(asked, asked.origins[asked_from], asked.origins[asked_to - 1])
    return Comparison("altered", changes, own, round(closeness, 3))


# One step of the diff: its difflib tag, and the tokens it covers on each side (first, last),
# or None where it covers none.
_Step = tuple[str, tuple[int, int] | None, tuple[int, int] | None]


def _changes(
    asked: _Tokens, quote: _Tokens, asked_range: tuple[int, int], quote_range: tuple[int, int]
) -> tuple[Change, ...]:
    """The diff of the matched stretches, by tokens as written: difflib compares the words
    with contractions spelled out, and each step is mapped back to the tokens it covers."""
    asked_from, asked_to = asked_range
    quote_from, quote_to = quote_range
    matcher = SequenceMatcher(
        None, asked.words[asked_from:asked_to], quote.words[quote_from:quote_to], autojunk=False
    )

    def tokens(origins: list[int], start: int, end: int) -> tuple[int, int] | None:
        return (origins[start], origins[end - 1]) if end > start else None

    steps: list[_Step] = []
    for tag, a1, a2, q1, q2 in matcher.get_opcodes():
        a1, a2, q1, q2 = a1 + asked_from, a2 + asked_from, q1 + quote_from, q2 + quote_from
        if tag != "equal":
            steps.append((tag, tokens(asked.origins, a1, a2), tokens(quote.origins, q1, q2)))
            continue
        # Word by word, so that a contraction is a step of its own.
        for offset in range(a2 - a1):
            a_token, q_token = asked.origins[a1 + offset], quote.origins[q1 + offset]
            steps.append(("equal", (a_token, a_token), (q_token, q_token)))
    merged: list[tuple[set[str], list[int], list[int]]] = []
    for step, on_asked, on_quote in steps:
        last = merged[-1] if merged else None
        if last is not None and (
            (on_asked and last[1] and on_asked[0] <= last[1][1])
            or (on_quote and last[2] and on_quote[0] <= last[2][1])
        ):
            last[0].add(step)
            _widen(last[1], on_asked)
            _widen(last[2], on_quote)
        else:
            merged.append(({step}, list(on_asked or ()), list(on_quote or ())))
    classified: list[tuple[ChangeKind, list[int], list[int]]] = []
    for tags, asked_span, quote_span in merged:
        kind: ChangeKind
        if tags == {"equal"}:
            same = (
                asked.keys[asked_span[0] : asked_span[1] + 1]
                == quote.keys[quote_span[0] : quote_span[1] + 1]
            )
            kind = "kept" if same else "contraction"
        else:
            kind = "added" if not quote_span else "dropped" if not asked_span else "changed"
        if kind == "kept" and classified and classified[-1][0] == "kept":
            _widen(classified[-1][1], (asked_span[0], asked_span[1]))
            _widen(classified[-1][2], (quote_span[0], quote_span[1]))
        else:
            classified.append((kind, asked_span, quote_span))
    return tuple(
        Change(
            kind,
            quote.written(quote_span[0], quote_span[1]) if quote_span else "",
            asked.written(asked_span[0], asked_span[1]) if asked_span else "",
        )
        for kind, asked_span, quote_span in classified
    )


def _widen(span: list[int], more: tuple[int, int] | None) -> None:
    if more is None:
        return
    if not span:
        span += more
    else:
        span[0], span[1] = min(span[0], more[0]), max(span[1], more[1])
