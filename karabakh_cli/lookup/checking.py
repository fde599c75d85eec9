"""kb check: every quotation of a text against the base, its words and whom it credits. Pure:
never prints, never reads a file; the base answers through ``Base``, so that a whole base and
the derived index serve alike.

A quotation's quote is one of who-said's candidates (attribution.who_said, the same scoring),
decided by verdict.compare: verbatim wins over altered, and among several verbatim candidates
the one whose speaker the text credits. Whom the text credits is crediting.credited's reading;
a name is a person of the base only when it stands for exactly one. kb never guesses: a name
that stands for several people, or for nobody the base knows, is said to be so.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Sequence
from typing import Literal, NamedTuple, Protocol

import msgspec

from karabakh_cli.lookup import attribution, crediting, verdict
from karabakh_cli.lookup.crediting import Credit, Named, Uncredited, Unnamed
from karabakh_cli.lookup.loaded import LoadedBase
from karabakh_cli.lookup.quotations import MarkWarning, Quotation, iter_quotations
from karabakh_cli.model import Person, Quote
from karabakh_cli.text import normalise_quoting

Match = Literal["verbatim", "contains", "altered", "none"]
Attribution = Literal["right", "wrong", "unnamed"]
Outcome = Literal["confirmed", "unconfirmed", "wrong"]

# A quotation standing inside a longer quote is that quote only when it has at least this many
# words: “talks” or “puppet government” stand in many texts by chance. A quotation that is a
# whole quote counts at any length (the base holds one-word quotes: “start”).
MIN_FRAGMENT_WORDS = 3
# A quotation longer than this is no quotation of a quote (the longest are a few thousand
# characters): it is reported, not scored, which keeps a hostile text's cost linear.
MAX_QUOTATION = 5_000
# Each quotation is credited from the text within this many characters of it (and of the
# quotation enclosing it), never past its paragraph: an article's paragraph is read whole, and
# a hostile one (thousands of quotations, no blank line) costs time linear in its length.
CONTEXT = 600
# When no candidate holds a quotation's words, only this many of the best scored are compared
# with it word by word: the altered quote is among them (a changed word costs it a few points).
COMPARED = 50
# The most kb reads of a text to check: ten times a long book.
MAX_INPUT = 64 * 1024 * 1024

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_WORD = re.compile(r"\w+")
_EDGES = re.compile(r"^(?:\s|…|\.\.\.)+|[\s,;:.…]+$")
_ATTACHED = frozenset(["verb", "colon", "inside"])


class Unreadable(ValueError):
    """The input is not a text kb reads: binary, or not UTF-8. The message says where."""


def decode(data: bytes, name: str) -> str:
    """``data`` as text, a UTF-8 byte-order mark dropped; refuses a NUL byte (binary input)
    and bytes that are not UTF-8, naming ``name`` and the byte offset."""
    skipped = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    nul = data.find(b"\x00", skipped)
    if nul >= 0:
        raise Unreadable(f"{name}: binary input (a NUL byte at byte offset {nul}); kb checks text")
    try:
        return data[skipped:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start + skipped
        raise Unreadable(
            f"{name}: not UTF-8 (byte 0x{data[offset]:02x} at byte offset {offset})"
        ) from None


class Candidate(NamedTuple):
    """A quote who-said's scoring offers for a quotation, with its score and its speaker."""

    quote: Quote
    score: float
    speaker: Person


class Base(Protocol):
    """What checking asks of a fact base."""

    def candidates(self, fragment: str) -> Sequence[Candidate]:
        """attribution.who_said's answer for ``fragment``, best first: the quotes scoring at
        least the threshold, or when none does the few closest."""

    def named(self, name: str) -> Sequence[Person]:
        """Every person ``name`` can stand for (crediting.names_person)."""


class WholeBase:
    """A base read whole, as ``Base``: who-said over all its quotes, names over all its people."""

    def __init__(self, facts: LoadedBase) -> None:
        self.facts = facts
        self._named: dict[str, list[Person]] = {}

    def candidates(self, fragment: str) -> list[Candidate]:
        quotes = self.facts.content.quotes
        scored = attribution.who_said(fragment, quotes) if quotes else []
        people = self.facts.people
        return [Candidate(item.quote, item.score, people[item.quote.speaker]) for item in scored]

    def named(self, name: str) -> list[Person]:
        # An article names the same few people again and again.
        if name not in self._named:
            people = self.facts.content.people
            self._named[name] = [
                person for person in people if crediting.names_person(name, person)
            ]
        return self._named[name]


class Credited(msgspec.Struct, frozen=True):
    """Whom the text credits, as written, and the people of the base that can be."""

    written: str | None
    """The name or pronoun as the text writes it; several names joined by " and "."""
    how: str | None
    """crediting's reading: verb, colon, inside, sole-name; pronoun; None: nobody."""
    people: tuple[str, ...] = ()
    """The ids of every person of the base the name can stand for."""

    @property
    def person(self) -> str | None:
        """The person the name stands for, when it stands for exactly one."""
        return self.people[0] if len(self.people) == 1 else None


class Checked(msgspec.Struct, frozen=True):
    """One quotation, checked."""

    quotation: Quotation
    credited: Credited
    match: Match
    candidate: Candidate | None
    """The quote matched; for none, the nearest, which is no match; None: no quote is near."""
    comparison: verdict.Comparison | None
    attribution: Attribution | None
    """right or wrong against the matched quote's speaker; unnamed; None for none."""
    also: tuple[str, ...] = ()
    """Other quotes the quotation stands in verbatim, none of them by the speaker credited."""
    why_none: str | None = None
    """Why a quotation is none though a quote holds it (too short, too long to check)."""

    @property
    def quote(self) -> Quote | None:
        """The quote matched, never the nearest of a quotation that matches none."""
        return self.candidate.quote if self.candidate and self.match != "none" else None

    @property
    def changes(self) -> str | None:
        """altered: the diff; contains: the quotation's own words marked [+…+]; else None."""
        if self.comparison is None or self.match in ("verbatim", "none"):
            return None
        if self.match == "altered":
            return self.comparison.rendered()
        written = " ".join(self.quotation.text.split())
        kept = self.comparison.changes[0].asked
        at = written.find(kept)
        before, after = written[:at].strip(), written[at + len(kept) :].strip()
        pieces = [f"[+{before}+]" if before else "", kept, f"[+{after}+]" if after else ""]
        return " ".join(piece for piece in pieces if piece)


Event = Checked | MarkWarning


class Walked(NamedTuple):
    """A quotation of a text, placed in the whole text, with whom the text credits for it
    (read from its paragraph, which ``paragraph`` bounds)."""

    quotation: Quotation
    credit: Credit
    paragraph: tuple[int, int]
    origin: int
    """Where the credit's offsets count from, in the whole text."""


def walk(text: str) -> Iterator[Walked | MarkWarning]:
    """Every quotation of ``text`` with its credit, in order of their opening marks, and the
    marks no quotation pairs, as they come: what kb check checks and kb add quotes proposes.

    A paragraph at a time (quotations never span a blank line): memory is bounded by the
    largest paragraph, and each quotation is credited from its own paragraph only.
    """
    line, counted = 1, 0
    for begin, end in _paragraphs(text):
        line += text.count("\n", counted, begin)
        counted = begin
        yield from _walk_paragraph(text[begin:end], begin, line)


def check(text: str, base: Base) -> Iterator[Event]:
    """Every quotation of ``text`` checked against ``base``, in order of their opening marks,
    with the marks no quotation pairs and what else the reader should know, as they come."""
    for found in walk(text):
        if isinstance(found, MarkWarning):
            yield found
        else:
            yield _checked(found.quotation, found.credit, base)


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Where each paragraph of ``text`` begins and ends, split at blank lines."""
    begin = 0
    for blank in _BLANK_LINE.finditer(text):
        yield begin, blank.start()
        begin = blank.end()
    yield begin, len(text)


def _walk_paragraph(paragraph: str, offset: int, line: int) -> Iterator[Walked | MarkWarning]:
    # The outermost quotation of the batch being settled: a batch comes outermost first.
    outermost: Quotation | None = None
    bounds = (offset, offset + len(paragraph))
    for found in iter_quotations(paragraph):
        if isinstance(found, MarkWarning):
            yield msgspec.structs.replace(
                found, offset=found.offset + offset, line=found.line + line - 1
            )
            continue
        if found.depth == 0 or outermost is None:
            outermost = found
        credit, origin = _credit(paragraph, found, outermost)
        placed = msgspec.structs.replace(
            found, start=found.start + offset, end=found.end + offset, line=found.line + line - 1
        )
        yield Walked(placed, credit, bounds, origin + offset)


def _credit(paragraph: str, quotation: Quotation, outermost: Quotation) -> tuple[Credit, int]:
    """crediting.credited, over the part of the paragraph within CONTEXT characters of the
    quotation and of the one enclosing it, cut between words; with where in the paragraph
    that part starts (the credit's offsets count from there)."""
    low = max(0, min(quotation.start, outermost.start) - 1 - CONTEXT)
    high = min(len(paragraph), max(quotation.end, outermost.end) + 1 + CONTEXT)
    if low:
        space = paragraph.find(" ", low, outermost.start - 1)
        low = space + 1 if space >= 0 else outermost.start - 1
    if high < len(paragraph):
        space = paragraph.rfind(" ", outermost.end + 1, high)
        high = space if space >= 0 else outermost.end + 1
    moved = msgspec.structs.replace(quotation, start=quotation.start - low, end=quotation.end - low)
    try:
        return crediting.credited(paragraph[low:high], moved), low
    except ValueError:
        # The cut fell inside another quotation and its marks paired otherwise: nothing is
        # read rather than a credit from marks paired wrongly.
        return Uncredited("no attribution"), low


def _credited(credit: Credit, base: Base) -> Credited:
    if isinstance(credit, Unnamed):
        return Credited(credit.pronoun.text, "pronoun")
    if isinstance(credit, Uncredited) or not credit.names:
        return Credited(None, None)
    people: dict[str, None] = {}
    for name in credit.names:
        people.update((person.id, None) for person in base.named(name.text))
    written = " and ".join(name.text for name in credit.names)
    return Credited(written, credit.how, tuple(people))


def _words_quoted(text: str) -> str:
    """A quotation's words without the punctuation quoting conventions put at its edges: the
    comma or full stop before the closing mark ("…talks,” she said) and an ellipsis marking
    words left out; inside, every character counts."""
    return _EDGES.sub("", text)


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _checked(quotation: Quotation, credit: Credit, base: Base) -> Checked:
    credited = _credited(credit, base)
    if len(quotation.text) > MAX_QUOTATION:
        why = f"{len(quotation.text):,} characters, longer than kb checks ({MAX_QUOTATION:,})"
        return Checked(quotation, credited, "none", None, None, None, why_none=why)
    asked = _words_quoted(quotation.text)
    candidates = base.candidates(asked)
    compared = _compared(asked, candidates)
    verbatim = [(item, found) for item, found in compared if found.kind in ("verbatim", "contains")]
    short = [
        (item, found)
        for item, found in verbatim
        if found.kind == "verbatim"
        and _words(quotation.text) < MIN_FRAGMENT_WORDS
        and _words(quotation.text) < _words(item.quote.text)
    ]
    verbatim = [pair for pair in verbatim if pair not in short]
    if verbatim:
        by_credited = [pair for pair in verbatim if crediting.credits(pair[0].speaker, credit)]
        item, found = (by_credited or verbatim)[0]
        also = () if by_credited else tuple(other.quote.id for other, _ in verbatim[1:])
        return Checked(
            quotation, credited, found.kind, item, found, _attribution(item, credit), also
        )
    altered = [(item, found) for item, found in compared if found.kind == "altered"]
    if altered:
        item, found = max(altered, key=lambda pair: pair[1].closeness)
        return Checked(quotation, credited, "altered", item, found, _attribution(item, credit))
    if short:
        item, _ = short[0]
        why = (
            f"it stands in {item.quote.id}, but {_words(quotation.text)} word(s) stand in many "
            f"texts by chance (a fragment needs {MIN_FRAGMENT_WORDS})"
        )
        return Checked(quotation, credited, "none", item, None, None, why_none=why)
    nearest = candidates[0] if candidates else None
    return Checked(quotation, credited, "none", nearest, None, None)


def _compared(
    asked: str, candidates: Sequence[Candidate]
) -> list[tuple[Candidate, verdict.Comparison]]:
    """verdict.compare of the quotation with its candidates: with those one of whose words as
    written stands in the other's, when there are some; else with the COMPARED best scored.

    Thousands of quotes can score alike for a quotation of common words; only a quote whose
    words hold the quotation's (or are held by them) can be verbatim, and a substring test
    finds those in a moment, where comparing word by word with every candidate would not.
    """
    plain = _plain(asked)

    def holds(quote: Quote) -> bool:
        other = _plain(quote.text)
        return plain in other or other in plain

    for chosen in ([item for item in candidates if holds(item.quote)], candidates[:COMPARED]):
        compared = [(item, verdict.compare(asked, item.quote.text)) for item in chosen]
        if any(found.kind in ("verbatim", "contains") for _, found in compared):
            return compared
    return compared


def _plain(text: str) -> str:
    """``text`` as a verbatim comparison sees it: quotation marks and whitespace normalised,
    case folded. An ASCII text has no typographic mark to fold, and casefold is lower there:
    thousands of candidates are spared the patterns."""
    if text.isascii():
        return " ".join(text.lower().split())
    return " ".join(normalise_quoting(text).casefold().split())


def _attribution(item: Candidate, credit: Credit) -> Attribution:
    """right when the text names the speaker; wrong only when it attaches another name to the
    quotation (a verb of saying, a colon, a clause inside the marks): a name that merely
    stands in the sentence is no claim about who said it."""
    if crediting.credits(item.speaker, credit):
        return "right"
    if isinstance(credit, Named) and credit.how in _ATTACHED:
        return "wrong"
    return "unnamed"


class Tally:
    """How the quotations checked so far came out, for the summary and the exit code."""

    def __init__(self) -> None:
        self.quotations = 0
        self.matches: dict[Match, int] = {"verbatim": 0, "contains": 0, "altered": 0, "none": 0}
        self.attributions: dict[Attribution, int] = {"right": 0, "wrong": 0, "unnamed": 0}

    def add(self, checked: Checked) -> None:
        self.quotations += 1
        self.matches[checked.match] += 1
        if checked.attribution is not None:
            self.attributions[checked.attribution] += 1

    @property
    def outcome(self) -> Outcome:
        """wrong: a quotation is altered or credited to someone other than its speaker;
        confirmed: every quotation (at least one) is verbatim and rightly credited;
        unconfirmed: anything else (no quotation, or one the base does not know or the text
        credits to nobody)."""
        if self.matches["altered"] or self.attributions["wrong"]:
            return "wrong"
        if self.quotations and self.attributions["right"] == self.quotations:
            return "confirmed"
        return "unconfirmed"

    def summary(self) -> str:
        """``3 quotations: 1 verbatim, 1 altered, 1 unknown to the base; 1 credited to
        someone else``."""
        if not self.quotations:
            return "the text holds no quotation"
        matches = self.matches
        parts = [
            f"{matches['verbatim'] + matches['contains']} verbatim",
            f"{matches['altered']} altered",
            f"{matches['none']} unknown to the base",
        ]
        credits = [
            f"{self.attributions['right']} rightly credited",
            f"{self.attributions['wrong']} credited to someone else",
            f"{self.attributions['unnamed']} credited to nobody by name",
        ]
        return f"{self.quotations} quotation(s): {', '.join(parts)}; {', '.join(credits)}"
