"""kb add quotes: a proposal for every quotation of a source's archived text, with whom the
text credits for it, for the curator to review. Pure: never prints, never writes.

The quotations and their credit are kb check's (checking.walk). A proposal takes from the text
only what the text says: the speaker it names (a person of the base when the name stands for
exactly one), a role it gives them ("X, the region's former state minister, said"), a date,
place or medium it states. A pronoun or no name at all leaves the speaker unresolved, never
guessed. Words the base already holds from this source are shown as in the base, not proposed
again; words the text credits to a document ("the text provides") are proposed as a term,
never as a person's quote.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from typing import Any, Literal, NamedTuple

import msgspec

from karabakh_cli.base import sentences
from karabakh_cli.curate import circumstances, joined
from karabakh_cli.curate.joined import Found
from karabakh_cli.lookup import checking, credit_checks, crediting
from karabakh_cli.lookup.crediting import Credit, Mention, Named, Uncredited, Unnamed
from karabakh_cli.lookup.loaded import LoadedBase
from karabakh_cli.model import Attribution, Person, Quote, Source, Term
from karabakh_cli.text import find_verbatim, normalise_quoting

Status = Literal["new", "in-base", "unresolved"]
Form = Literal["direct", "fragment"]
ProposedKind = Literal["quote", "term"]
DateFrom = Literal["source", "text"]

CONTINUED_NOTE = (
    "The quotation runs on over a paragraph break; the text credits {name} where it opens."
)


class Proposal(msgspec.Struct, frozen=True, kw_only=True):
    """One quotation of a source's text, proposed as a record (or shown as one the base holds).

    The JSON object ``kb add quotes`` writes a line of, and ``kb add --from`` reads back."""

    status: Status
    """new: proposed; in-base: a record of the base holds these words from this source;
    unresolved: the text names nobody for them (a pronoun, or no name at all)."""
    kind: ProposedKind
    """quote: a person's words; term: words the text credits to a document."""
    text: str
    """The words, exactly as the text prints them (the comma before a closing mark aside)."""
    speaker: str | None
    """A person's id; the name as the text writes it (a person the base lacks, or a name that
    stands for several); None when the text names nobody, and for a term."""
    excerpt: str
    """The sentence or sentences of the text holding the quotation and its credit."""
    form: Form
    """direct: a quotation standing as said; fragment: words quoted inside reported speech."""
    source: str
    date: str
    date_from: DateFrom
    """source: the source's own date; text: a date the text gives (``date_said``)."""
    date_said: str | None = None
    place: str | None = None
    """Where, only where the text says it ("said in Geneva")."""
    medium: str | None = None
    """How, only where the text says it ("in a televised speech", "on social media")."""
    credited: str | None = None
    """Whom the text credits, as written: a name, a pronoun, a document; None: nobody."""
    how: str | None = None
    """How the credit was read: verb, colon, inside, sole-name, interview, continued,
    pronoun, description (no name), document; None: nobody is credited."""
    new_person: bool = False
    """The speaker is a name no person of the base answers to: accepting adds them."""
    role: str | None = None
    """For a new person, the role the text gives them, as written."""
    candidates: tuple[str, ...] = ()
    """The ids of the people a name stands for when it stands for several."""
    nearby: tuple[str, ...] = ()
    """For a pronoun: the names of the sentence before, as written; hints, never the speaker."""
    record: str | None = None
    """in-base: the id of the record holding the words."""
    attribution: Attribution = "stated"
    note: str | None = None
    line: int = 0
    column: int = 0
    start: int = 0
    """Where the words stand in the archived text (code point offsets)."""
    end: int = 0


_EDGE = re.compile(r"^[\s,;:]+|[\s,;:]+$")
_LETTER = re.compile(r"[^\W\d_]")
_INTERVIEW_LINE = re.compile(
    r"^(?P<label>[A-Z][\w.’'-]*(?:[ ][A-Z][\w.’'-]*){0,3})[ \t]*:[ \t]+(?P<answer>[^“«„\"‘\s].*)$",
    re.MULTILINE,
)
_QUESTION_LABELS = frozenset(["q", "question", "interviewer"])
_ANSWER_LABELS = frozenset(["a", "answer"])


class Held(NamedTuple):
    """A record of the base whose words come from the source proposed from."""

    kind: ProposedKind
    record: Quote | Term


def propose(facts: LoadedBase, source: Source, text: str) -> Iterator[Proposal]:
    """Every quotation of ``text``, the archived text of ``source``, as a proposal, in the
    order of the text; words the base holds from this source once each, as in the base."""
    held = [
        *(Held("quote", quote) for quote in facts.content.quotes if quote.source == source.id),
        *(Held("term", term) for term in facts.content.terms if term.source == source.id),
    ]
    reader = _Reader(facts, source, text, held)
    made: list[Proposal] = []
    for found in joined.joined(checking.walk(text), text):
        made.extend(reader.proposals(found))
    made.extend(reader.interview())
    yield from _once(sorted(made, key=lambda proposal: (proposal.start, proposal.end)))


class _Reader:
    """Reads the proposals of one source's text: what it says around each quotation."""

    def __init__(self, facts: LoadedBase, source: Source, text: str, held: list[Held]) -> None:
        self.facts = facts
        self.source = source
        self.text = text
        self.held = held
        self.base = checking.WholeBase(facts)
        self.breaks = sentences.starts(text)

    # Where a stretch of the text stands ---------------------------------------------------

    def sentence_start(self, offset: int) -> int:
        at = bisect.bisect_right(self.breaks, offset)
        return self.breaks[at - 1] if at else 0

    def sentence_end(self, offset: int) -> int:
        at = bisect.bisect_left(self.breaks, offset)
        return self.breaks[at] if at < len(self.breaks) else len(self.text)

    def excerpt(self, low: int, high: int) -> str:
        return " ".join(self.text[self.sentence_start(low) : self.sentence_end(high)].split())

    def place_of(self, offset: int) -> tuple[int, int]:
        line = self.text.count("\n", 0, offset) + 1
        return line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1

    # One quotation ------------------------------------------------------------------------

    def proposals(self, found: Found) -> list[Proposal]:
        credit = found.credit
        mentions = _mentions(credit)
        low = min([found.outer[0], *(found.origin + m.start for m in mentions)])
        high = max([found.outer[1], *(found.origin + m.end for m in mentions)])
        excerpt = self.excerpt(low, high)
        form = self.form(found)
        shared = self.shared(self.said_around(low, high))
        made = []
        for start, end in self.segments(found):
            made.extend(self.segment(found, start, end, excerpt, form, shared))
        return made

    def segments(self, found: Found) -> list[tuple[int, int]]:
        """The quotation's words, less a "…, X said. …" clause its marks hold."""
        credit = found.credit
        if not (isinstance(credit, Named) and credit.how == "inside" and credit.verb):
            return [(found.start, found.end)]
        phrase = found.origin + credit.phrase.start
        verb_end = found.origin + credit.verb.end
        comma = self.text.rfind(",", found.start, phrase)
        stop = re.compile(r"[.;!?]").search(self.text, verb_end, found.end)
        if comma < 0 or stop is None:
            return [(found.start, found.end)]
        return [(found.start, comma), (stop.end(), found.end)]

    def segment(
        self,
        found: Found,
        start: int,
        end: int,
        excerpt: str,
        form: Form,
        shared: dict[str, str | None],
    ) -> list[Proposal]:
        """The proposals of one stretch of a quotation: the records of the base it holds,
        and what is left of it."""
        words = self.text[start:end]
        covered: list[tuple[int, int, Held]] = []
        for held in self.held:
            span = find_verbatim(words, held.record.text)
            if span is not None:
                covered.append((start + span[0], start + span[1], held))
            elif _holds(held.record.text, words):
                covered.append((start, end, held))
        covered.sort(key=lambda item: (item[0], -item[1]))
        made: list[Proposal] = []
        done = start
        for held_start, held_end, held in covered:
            if held_start < done and made:
                continue
            made.extend(self.fresh(found, done, held_start, excerpt, form, shared))
            made.append(self.in_base(found, held, held_start, held_end, excerpt, form, shared))
            done = max(done, held_end)
        made.extend(self.fresh(found, done, end, excerpt, form, shared))
        return made

    def in_base(
        self,
        found: Found,
        held: Held,
        start: int,
        end: int,
        excerpt: str,
        form: Form,
        shared: dict[str, str | None],
    ) -> Proposal:
        record = held.record
        credited, how = _credited_as_written(found.credit)
        return Proposal(
            status="in-base",
            kind=held.kind,
            text=" ".join(self.text[start:end].split()),
            speaker=record.speaker if isinstance(record, Quote) else None,
            credited=credited,
            how="document" if held.kind == "term" and how is None else how,
            record=record.id,
            **self._where_and_when(start, end, excerpt, form, shared),
        )

    def _where_and_when(
        self, start: int, end: int, excerpt: str, form: Form, shared: dict[str, str | None]
    ) -> dict[str, Any]:
        """What every proposal of the words at ``start:end`` says of them, whatever its status:
        the excerpt and form, the source, the date (the text's or the source's), place and
        medium, and where the words stand in the text."""
        line, column = self.place_of(start)
        return {
            "excerpt": excerpt,
            "form": form,
            "source": self.source.id,
            "date": shared["date"] or self.source.date,
            "date_from": "text" if shared["date"] else "source",
            "date_said": shared["date_said"],
            "place": shared["place"],
            "medium": shared["medium"],
            "line": line,
            "column": column,
            "start": start,
            "end": end,
        }

    def fresh(
        self,
        found: Found,
        start: int,
        end: int,
        excerpt: str,
        form: Form,
        shared: dict[str, str | None],
    ) -> list[Proposal]:
        """The proposals of words the base does not hold: one a name credited."""
        words = self.text[start:end]
        trimmed = _EDGE.sub("", words)
        if not _LETTER.search(trimmed):
            return []
        start += words.find(trimmed)
        end = start + len(trimmed)
        blank = Proposal(
            status="unresolved",
            kind="quote",
            speaker=None,
            # Runs of whitespace made one space (a quotation wrapped over lines, or run on over
            # a paragraph break): still verbatim, as kb validate compares texts.
            text=" ".join(trimmed.split()),
            **self._where_and_when(start, end, excerpt, form, shared),
        )
        document = self.document(found)
        if document:
            term = msgspec.structs.replace(
                blank, status="new", kind="term", credited=document, how="document"
            )
            return [term]
        credit = found.credit
        if isinstance(credit, Unnamed):
            nearby = tuple(mention.text for mention in credit.nearby)
            said = msgspec.structs.replace(
                blank, credited=credit.pronoun.text, how="pronoun", nearby=nearby
            )
            return [said]
        if isinstance(credit, Uncredited) or not credit.names:
            return [blank]
        how = "continued" if found.continued else credit.how
        return [self.named(found, name, how, blank) for name in credit.names]

    def named(self, found: Found, name: Mention, how: str, blank: Proposal) -> Proposal:
        """``blank`` credited to ``name``: a person of the base when it stands for one; a
        new person when it is a name (capitalised words, "Gen. Olaf Brandt" of "Gen. Olaf
        Brandt later"); unresolved when it is a description no person of the base answers
        to ("a spokesman for the delegation"): kb never makes a person of a description."""
        people = tuple(person.id for person in self.base.named(name.text))
        if not people:
            name = _trimmed(name)
            people = tuple(person.id for person in self.base.named(name.text))
        if not people and not _NAME_WORD.search(name.text):
            return msgspec.structs.replace(blank, credited=name.text, how="description")
        role = None if people else circumstances.role(self.text, found.origin + name.end)
        proposal = msgspec.structs.replace(
            blank,
            status="new",
            speaker=people[0] if len(people) == 1 else name.text,
            credited=name.text,
            how=how,
            new_person=not people,
            role=role,
            candidates=people if len(people) > 1 else (),
        )
        return self.attributed(proposal, name.text)

    def attributed(self, proposal: Proposal, name: str) -> Proposal:
        """The proposal, recorded as an inferred attribution with a note where the text
        credits the speaker in a way kb's check of an excerpt cannot read (a quotation run on
        over a paragraph break): the write would refuse it otherwise."""
        speaker = (
            self.facts.people.get(proposal.speaker or "")
            if not proposal.new_person
            else Person(
                id="new",
                name=name,
                kind="person",
                role=proposal.role,
                source=self.source.id,
                excerpt=proposal.excerpt,
            )
        )
        if speaker is None:
            return proposal
        quote = Quote(
            id="proposed",
            speaker=speaker.id,
            text=proposal.text,
            date=proposal.date,
            place=None,
            medium="-",
            source=self.source.id,
            excerpt=proposal.excerpt,
        )
        if credit_checks.problem_of(quote, speaker) is None:
            return proposal
        note = CONTINUED_NOTE.format(name=name)
        return msgspec.structs.replace(proposal, attribution="inferred", note=note)

    # What the text says around a quotation -------------------------------------------------

    def form(self, found: Found) -> Form:
        """direct where the quotation stands as said: it opens its sentence, follows a colon
        or a comma, a verb of saying, or its credit is "X: …" or a clause within its marks;
        fragment where the words of the text's own sentence run into its opening mark."""
        credit = found.credit
        if isinstance(credit, Named) and credit.how in ("colon", "inside"):
            return "direct"
        mark = found.start - 1
        before = self.text[self.sentence_start(mark) : mark].rstrip()
        before = before.rstrip('“«„"‘').rstrip()
        if not before or before[-1] in ":,—–-(":
            return "direct"
        last = re.findall(r"\w+", before[-40:])
        quoted = self.text[found.start : found.end].lstrip()
        if last and last[-1].lower() in crediting.VERBS_OF_SAYING and quoted[:1].isupper():
            return "direct"
        return "fragment"

    def document(self, found: Found) -> str | None:
        """The document the text credits with the quotation ("the text provides"), if any."""
        mark = found.outer[0]
        return circumstances.document(self.text[self.sentence_start(mark) : mark])

    def shared(self, said: str) -> dict[str, str | None]:
        """The date, place and medium ``said`` states."""
        date, date_said = circumstances.date(said, self.source.date)
        return {
            "date": date,
            "date_said": date_said,
            "medium": circumstances.medium(said),
            "place": circumstances.place(said),
        }

    def said_around(self, low: int, high: int) -> str:
        """What the text says around a quotation and its credit: from the first of them to
        the last, and on to the next quotation mark or the end of the sentence, with the words
        of quotations blanked out. A medium or a date elsewhere in the sentence belongs to
        another quotation ("called it “a betrayal” in a post, and X later repeated: “…”")."""
        end = self.sentence_end(high)
        mark = re.compile(r"[“”«»„\"]").search(self.text, high, end)
        return circumstances.unquoted(self.text[low : mark.start() if mark else end])

    # Interviews ---------------------------------------------------------------------------

    def interview(self) -> list[Proposal]:
        """An interview in question-and-answer form: lines "Name: answer" without quotation
        marks, two or more of them with two labels or more; the questions are not proposed."""
        lines = list(_INTERVIEW_LINE.finditer(self.text))
        labels = {match.group("label") for match in lines}
        if len(lines) < 2 or len(labels) < 2:
            return []
        publisher = self.source.publisher.casefold()
        made: list[Proposal] = []
        for match in lines:
            label = match.group("label")
            if label.casefold() in _QUESTION_LABELS or label.casefold() == publisher:
                continue
            start, end = match.start("answer"), match.end("answer")
            answer = self.text[start:end].rstrip()
            end = start + len(answer)
            line, column = self.place_of(start)
            excerpt = " ".join(match.group().split())
            blank = Proposal(
                status="unresolved",
                kind="quote",
                speaker=None,
                text=answer,
                excerpt=excerpt,
                form="direct",
                source=self.source.id,
                date=self.source.date,
                date_from="source",
                credited=label,
                line=line,
                column=column,
                start=start,
                end=end,
            )
            if label.casefold() in _ANSWER_LABELS:
                made.append(blank)
                continue
            found = Found(
                start, end, (match.start(), end), Uncredited("no attribution"), 0, line, column
            )
            name = Mention(label, match.start("label"), match.end("label"))
            held = [
                held
                for held in self.held
                if normalise_quoting(held.record.text) == normalise_quoting(answer)
            ]
            if held:
                nothing: dict[str, str | None] = dict.fromkeys(
                    ("date", "date_said", "place", "medium")
                )
                in_base = self.in_base(found, held[0], start, end, excerpt, "direct", nothing)
                made.append(msgspec.structs.replace(in_base, credited=label, how="interview"))
                continue
            made.append(self.named(found, name, "interview", blank))
        return made


_NAME_WORD = re.compile(r"\b[A-Z][\w’'-]*")
_NAME_EDGES = re.compile(r"^(?:[a-z][\w’'-]*\s+)+|(?:\s+[a-z][\w’'-]*)+$")


def _trimmed(name: Mention) -> Mention:
    """A credited name without the lower-case words at its edges ("Gen. Olaf Brandt later");
    a description without a capitalised word is left as it is."""
    if not _NAME_WORD.search(name.text):
        return name
    leading = _NAME_EDGES.match(name.text)
    start = leading.end() if leading else 0
    kept = name.text[start:]
    trailing = re.search(r"(?:\s+[a-z][\w’'-]*)+$", kept)
    end = start + (trailing.start() if trailing else len(kept))
    return Mention(name.text[start:end], name.start + start, name.start + end)


def _mentions(credit: Credit) -> list[Mention]:
    if isinstance(credit, Named):
        return [*credit.names, credit.phrase, *([credit.verb] if credit.verb else [])]
    if isinstance(credit, Unnamed):
        return [credit.pronoun, credit.verb]
    return []


def _credited_as_written(credit: Credit) -> tuple[str | None, str | None]:
    if isinstance(credit, Named) and credit.names:
        return " and ".join(name.text for name in credit.names), credit.how
    if isinstance(credit, Unnamed):
        return credit.pronoun.text, "pronoun"
    return None, None


def _holds(record_text: str, words: str) -> bool:
    """Whether a record's text holds the whole of ``words`` (a quotation of part of it)."""
    plain = normalise_quoting(_EDGE.sub("", words))
    return bool(plain) and plain in normalise_quoting(record_text)


def _once(proposals: Sequence[Proposal]) -> Iterator[Proposal]:
    """Each proposal once: a record of the base once, the same words by the same speaker
    once (a headline repeating the body), the first named one kept over an unresolved one."""
    kept: dict[tuple[str, ...], int] = {}
    chosen: list[Proposal | None] = []
    for proposal in proposals:
        words = normalise_quoting(proposal.text).casefold()
        key = (
            ("record", proposal.record)
            if proposal.record
            else (proposal.kind, words, proposal.speaker or "")
        )
        unresolved_key = (proposal.kind, words, "")
        if key in kept:
            continue
        if proposal.speaker and unresolved_key in kept:
            # A named proposal for words proposed unresolved before: the name wins.
            chosen[kept.pop(unresolved_key)] = None
        if not proposal.speaker and any(
            other is not None
            and other.speaker
            and normalise_quoting(other.text).casefold() == words
            for other in chosen
        ):
            continue
        kept[key] = len(chosen)
        chosen.append(proposal)
    yield from (proposal for proposal in chosen if proposal is not None)
