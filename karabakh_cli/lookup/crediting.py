"""Whom a text credits for one of its quotations (quotations.py finds them), and whether such
a credit names a given person. Pure functions over strings and records; no I/O.

The text is read as written and never corrected: a credit is the name the text gives, with
where it stands and how it was found, so that a caller can tell a name attached to a verb of
saying from one merely standing in the same sentence, and a pronoun from a name.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from typing import Literal, NamedTuple

import msgspec
from rapidfuzz import fuzz

from karabakh_cli.base import sentences
from karabakh_cli.lookup.match import NAME_NOISE, NAME_THRESHOLD, WORD, match_people
from karabakh_cli.lookup.quotations import Quotation, find_quotations
from karabakh_cli.model import Person
from karabakh_cli.text import fold

VERBS_OF_SAYING = frozenset(
    [
        *("said", "says", "say", "told", "tells", "added", "adds", "asserts", "asserted"),
        *("explains", "explained", "mentions", "mentioned", "declared", "declares"),
        *("stated", "wrote", "writes", "insisted", "insists", "warned", "warns"),
        *("announced", "announces", "noted", "notes", "stressed", "stresses", "claimed"),
        *("claims", "replied", "replies", "answered", "argued", "argues", "affirmed"),
        *("affirms", "confirmed", "confirms", "recalled", "recalls", "acknowledged"),
        *("admitted", "emphasised", "emphasized", "tweeted", "continued", "concluded"),
        *("shouted", "cried", "urged", "vowed", "pledged", "promised", "demanded", "asked"),
        *("shouts", "cries", "urges", "vows", "pledges", "promises", "demands", "asks"),
        *("posted", "posts", "responded", "responds", "observed", "observes", "predicted"),
        *("predicts", "repeated", "repeats", "reiterated", "reiterates", "suggested"),
    ]
)
"""Verbs that attach a name to what it says; ``according to`` is the one phrase besides."""
PRONOUNS = frozenset(["he", "she", "they", "i", "we", "you", "it"])

# Capitalised at the start of a sentence or clause, they begin no name: "There is Azerbaijan".
_FUNCTION_WORDS = frozenset(
    [
        *("the", "a", "an", "in", "on", "at", "there", "it", "this", "that", "these", "those"),
        *("however", "but", "and", "or", "according", "for", "after", "before", "when"),
        *("while", "as", "if", "so", "then", "yet", "meanwhile", "also", "he", "she", "they"),
        *("we", "i", "his", "her", "their", "our", "its", "by", "from", "with", "to", "of"),
        *("since", "despite", "although", "though", "during", "last", "next", "asked"),
    ]
)
_CALENDAR = frozenset(
    [
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("january", "february", "march", "april", "may", "june", "july", "august"),
        *("september", "october", "november", "december"),
    ]
)
# Lower-case words inside a name: "Ministry of Defense", "Charles de Gaulle".
_PARTICLES = frozenset(["of", "the", "de", "del", "da", "du", "von", "van", "al", "el", "bin"])
_TITLE_ABBREVIATIONS = frozenset(["Mr", "Mrs", "Ms", "Dr", "Gen", "Col", "Lt", "Sen", "Prof"])
_TITLES = frozenset([*NAME_NOISE - _PARTICLES, "foreign", "spokesman", "spokeswoman"])
_LEADING = frozenset(["and", "but", "then", "however", "so", "yet", "also", "while"])
# Adverbs between a subject and its verb ("X later said"): no part of the name.
_TRAILING = frozenset(
    [
        *("later", "also", "then", "again", "once", "twice", "earlier", "previously"),
        *("subsequently", "immediately", "recently", "repeatedly", "finally", "still", "too"),
        *("himself", "herself", "itself", "themselves"),
    ]
)
_DETERMINERS = frozenset(["the", "a", "an"])
# Where a subject phrase gives way to what qualifies it: "a defender who wishes ...".
_RELATIVES = frozenset(["who", "whom", "whose", "which", "that"])
_PREPOSITIONS = frozenset(
    ["in", "on", "at", "during", "after", "before", "from", "via", "with", "when", "to", "for"]
)
_QUOTE_MARKS = frozenset('“”«»„"‘’')
# Punctuation that ends the clause an attribution can stand in.
_CLAUSE_BREAKS = frozenset(";:—–()") | _QUOTE_MARKS
# How many words may stand between a closing mark and its verb of saying.
_REACH = 12
# The most words a clause inside quotation marks may hold to be read as their attribution.
_INSIDE_REACH = 6
# Masks the words of other quotations: no word, no letter, no sentence end.
_MASK = "\x00"
_TOKEN = re.compile(r"(\w+(?:['’\-]\w+)*)|([^\w\s\x00])")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_POSSESSIVE = re.compile(r"['’]s\b")

How = Literal["verb", "colon", "inside", "sole-name"]


class Mention(msgspec.Struct, frozen=True, gc=False):
    """Words of the text as written, with their offsets: ``text == source[start:end]``."""

    text: str
    start: int
    end: int


class Named(msgspec.Struct, frozen=True, tag="named"):
    """The text credits a name (or several, for a quotation they share)."""

    names: tuple[Mention, ...]
    """Each name credited, as written: "Mr. Amirbayov", "Kremlin", "human rights defender"."""
    phrase: Mention
    """The whole subject the names come from: "A human rights defender who wishes ..."."""
    how: How
    """verb: attached to a verb of saying; colon: "X: “…”"; inside: a "…, X said. …" clause
    within the marks (probably misplaced marks); sole-name: no verb of saying was found and
    this is the one name of the sentence (so the attribution is the reader's inference)."""
    verb: Mention | None = None


class Unnamed(msgspec.Struct, frozen=True, tag="unnamed"):
    """The text credits a pronoun ("he said"): nobody by name."""

    pronoun: Mention
    verb: Mention
    nearby: tuple[Mention, ...] = ()
    """Names in the sentence before: candidates only, not stated by the quoting sentence."""


class Uncredited(msgspec.Struct, frozen=True, tag="uncredited"):
    """No verb of saying and not exactly one name in the sentence."""

    reason: Literal["no attribution", "several names"]
    candidates: tuple[Mention, ...] = ()


Credit = Named | Unnamed | Uncredited


class _Token(NamedTuple):
    text: str
    start: int
    end: int
    word: bool


def credited(text: str, quotation: Quotation) -> Credit:
    """Whom ``text`` credits for ``quotation``, one of its quotations (by offsets).

    Tried in order: a verb of saying after the closing mark ("…,” said X", "…,” X said"),
    one before the opening mark (nearest first: "X said: “…”", "according to X, “…”",
    "“…,” said X, “…”" for the second half), "X: “…”", a "…, X said." clause inside the
    marks, and last the one name of the sentence. A quotation inside another is credited
    from the words of the one enclosing it. Reads the paragraph holding the quotation.
    """
    begin, finish = _paragraph(text, quotation.start - 1, quotation.end)
    return _Paragraph(text, begin, finish).credit(quotation)


def _paragraph(text: str, opening: int, closing: int) -> tuple[int, int]:
    """The paragraph holding ``opening`` to ``closing``: from the blank line before it to the
    one after, each line before it looked at once."""
    begin, line_end = 0, opening
    while (newline := text.rfind("\n", 0, line_end)) >= 0:
        previous = text.rfind("\n", 0, newline)
        if text[previous + 1 : newline].strip() == "" and previous >= 0:
            begin = newline + 1
            break
        line_end = newline
    after = _BLANK_LINE.search(text, closing)
    return begin, after.start() if after else len(text)


class _Paragraph:
    def __init__(self, text: str, begin: int, finish: int) -> None:
        self.text = text[begin:finish]
        self.offset = begin
        self.quotations = find_quotations(self.text).quotations

    def mention(self, first: _Token, last: _Token) -> Mention:
        start, end = first.start + self.offset, last.end + self.offset
        return Mention(self.text[first.start : last.end], start, end)

    def credit(self, quotation: Quotation) -> Credit:
        start, end = quotation.start - self.offset, quotation.end - self.offset
        target = next((q for q in self.quotations if (q.start, q.end) == (start, end)), None)
        if target is None:
            raise ValueError(f"no quotation of the text at offsets {quotation.start}-{end}")
        low, high = 0, len(self.text)
        for outer in self.quotations:
            if outer.depth == target.depth - 1 and outer.start < start and end < outer.end:
                low, high = outer.start, outer.end
        same_level = [q for q in self.quotations if q.depth == target.depth]
        masked = _masked(self.text, same_level)[low:high]
        tokens = [
            _Token(found.group(), found.start() + low, found.end() + low, bool(found.group(1)))
            for found in _TOKEN.finditer(masked)
        ]
        starts = [low, *(low + at for at in sentences.starts(masked))]
        here = bisect.bisect_right(starts, start - 1) - 1
        sentence_end = next((at for at in starts if at > end), high)
        following = [q.start - 1 for q in same_level if q.start > end and q.start - 1 < high]
        after_end = min([sentence_end, *following])
        at = [token.start for token in tokens]

        def between(first: int, last: int) -> list[_Token]:
            return tokens[bisect.bisect_left(at, first) : bisect.bisect_left(at, last)]

        before = between(starts[here], start - 1)
        credit = (
            self.after_quote(between(end + 1, after_end))
            or self.before_quote(before)
            or self.inside(target)
        )
        if isinstance(credit, Unnamed) and here > 0:
            nearby = tuple(
                self.mention(run[0], run[-1])
                for run in _runs(between(starts[here - 1], starts[here]))
            )
            credit = Unnamed(credit.pronoun, credit.verb, nearby)
        return credit or self.sole_name(between(starts[here], sentence_end))

    def after_quote(self, tokens: list[_Token]) -> Named | Unnamed | None:
        clause = _until(tokens, frozenset(";"))
        words = 0
        for index, token in enumerate(clause):
            if token.word:
                if _is_verb(clause, index):
                    return self.attach(clause, index, 0)
                words += 1
                if words > _REACH:
                    return None
        return None

    def before_quote(self, tokens: list[_Token]) -> Named | Unnamed | None:
        verbs = [
            index for index, token in enumerate(tokens) if token.word and _is_verb(tokens, index)
        ]
        if verbs:
            verb = verbs[-1]
            boundary = max(
                [index + 1 for index in range(verb) if tokens[index].text in _CLAUSE_BREAKS]
                + [verbs[-2] + 1 if len(verbs) > 1 else 0]
            )
            return self.attach(tokens, verb, boundary)
        if tokens and tokens[-1].text == ":":
            clause = tokens[
                max(
                    [0, *(i + 1 for i, t in enumerate(tokens[:-1]) if t.text in _CLAUSE_BREAKS)]
                ) : -1
            ]
            if _name_like(clause):
                subject = self.subject(clause)
                if isinstance(subject, Named):
                    return Named(subject.names, subject.phrase, "colon")
        return None

    def inside(self, quotation: Quotation) -> Named | Unnamed | None:
        """A "…, X said." clause within the marks of ``quotation`` (offsets in the
        paragraph): the marks are probably misplaced."""
        tokens = [
            _Token(found.group(), found.start(), found.end(), bool(found.group(1)))
            for found in _TOKEN.finditer(self.text, quotation.start, quotation.end)
        ]
        for comma, token in enumerate(tokens):
            if token.text != ",":
                continue
            stop = next(
                (i for i in range(comma + 1, len(tokens)) if _ends_clause(tokens, i)), len(tokens)
            )
            clause = tokens[comma + 1 : stop]
            if (
                not clause
                or len(clause) > _INSIDE_REACH
                or (stop < len(tokens) and tokens[stop].text not in ".;!?")
            ):
                continue
            for verb in (0, len(clause) - 1):
                if _is_verb(clause, verb) and len(clause) > 1:
                    found = self.attach(clause, verb, 0)
                    if isinstance(found, Named):
                        return Named(found.names, found.phrase, "inside", found.verb)
                    return found
        return None

    def sole_name(self, tokens: list[_Token]) -> Named | Uncredited:
        runs = _runs(tokens)
        people = {fold(self.mention(run[0], run[-1]).text): run for run in runs if _words(run) > 1}
        if len(people) == 1:
            (run,) = people.values()
            name = self.mention(run[0], run[-1])
            return Named((name,), name, "sole-name")
        mentions = tuple(self.mention(run[0], run[-1]) for run in runs)
        return Uncredited("several names" if people else "no attribution", mentions)

    def attach(self, tokens: list[_Token], verb: int, boundary: int) -> Named | Unnamed | None:
        """The subject of the verb of saying at ``verb``: the words before it (from
        ``boundary``), or when there are none the words after it ("…,” said X")."""
        according = tokens[verb].text.lower() == "according"
        last = verb + 1 if according else verb
        verb_mention = self.mention(tokens[verb], tokens[last])
        before = tokens[boundary:verb]
        if according or not any(token.word for token in before):
            after = _until(tokens[last + 1 :], _CLAUSE_BREAKS | frozenset(",.!?"))
            subject = self.subject(after)
        else:
            subject = self.subject(_subject_segment(before))
        if isinstance(subject, Named):
            return Named(subject.names, subject.phrase, "verb", verb_mention)
        if isinstance(subject, Mention):
            return Unnamed(subject, verb_mention)
        return None

    def subject(self, tokens: list[_Token]) -> Named | Mention | None:
        """The names of a subject phrase, or the pronoun it is."""
        while tokens and (not tokens[0].word or tokens[0].text.lower() in _LEADING):
            tokens = tokens[1:]
        while tokens and (not tokens[-1].word or tokens[-1].text.lower() in _TRAILING):
            tokens = tokens[:-1]
        if not tokens:
            return None
        if tokens[-1].text.lower() in PRONOUNS and not any(
            _capitalised(token) for token in tokens[1:-1]
        ):
            # "he", and "Later he", "Then she": a word before the pronoun (capitalised only as
            # the sentence's first) names nobody.
            return self.mention(tokens[-1], tokens[-1])
        phrase = self.mention(tokens[0], tokens[-1])
        names: list[Mention] = []
        for part in _parts(_cut(tokens)):
            name = _name_of(part)
            if name:
                names.append(self.mention(name[0], name[-1]))
        return Named(tuple(names), phrase, "verb") if names else None


def _masked(text: str, quotations: Sequence[Quotation]) -> str:
    """``text`` with the words of ``quotations`` masked, the same length; the punctuation
    ending a quotation is kept, so that its sentence still ends there."""
    pieces: list[str] = []
    done = 0
    for quotation in quotations:
        inner = text[quotation.start : quotation.end]
        kept = inner.rstrip()
        ending = len(kept) - len(kept.rstrip(".!?…"))
        pieces += [
            text[done : quotation.start],
            _MASK * (len(kept) - ending),
            inner[len(kept) - ending :],
        ]
        done = quotation.end
    pieces.append(text[done:])
    return "".join(pieces)


def _until(tokens: list[_Token], breaks: frozenset[str]) -> list[_Token]:
    """``tokens`` up to the first of ``breaks``, a title's full stop ("Mr.") aside."""
    stop = next(
        (
            index
            for index, token in enumerate(tokens)
            if token.text in breaks and _ends_clause(tokens, index)
        ),
        len(tokens),
    )
    return tokens[:stop]


def _is_verb(tokens: Sequence[_Token], index: int) -> bool:
    word = tokens[index].text.lower()
    if word == "according":
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        return following is not None and following.text.lower() == "to"
    return word in VERBS_OF_SAYING


def _ends_clause(tokens: Sequence[_Token], index: int) -> bool:
    """Whether the token at ``index`` is punctuation that is not a title's full stop."""
    token = tokens[index]
    if token.word:
        return False
    return not (token.text == "." and index and tokens[index - 1].text in _TITLE_ABBREVIATIONS)


def _capitalised(token: _Token) -> bool:
    return token.word and token.text[0].isupper()


def _words(run: Sequence[_Token]) -> int:
    return sum(token.word for token in run)


def _runs(tokens: Sequence[_Token]) -> list[list[_Token]]:
    """The names among ``tokens``: runs of capitalised words, joined by particles ("Ministry
    of Defense") and by the full stop of a title ("Mr. Amirbayov"); capitalised function
    words ("There", "In") and dates begin none; a possessive ("Azerbaijan's") ends one."""
    runs: list[list[_Token]] = []
    index = 0
    while index < len(tokens):
        if not _capitalised(tokens[index]) or tokens[index].text.lower() in _FUNCTION_WORDS:
            index += 1
            continue
        run = [tokens[index]]
        following = index + 1
        while following < len(tokens) and not _POSSESSIVE.search(run[-1].text):
            token = tokens[following]
            title_stop = token.text == "." and run[-1].text in _TITLE_ABBREVIATIONS
            if not (title_stop or _capitalised(token) or token.text in _PARTICLES):
                break
            run.append(token)
            following += 1
        while run and run[-1].text in _PARTICLES:
            run.pop()
        if not all(token.text.lower() in _CALENDAR for token in run if token.word):
            runs.append(run)
        index = following
    return runs


def _subject_segment(tokens: list[_Token]) -> list[_Token]:
    """The comma-separated segment of the words before a verb that is its subject: the last,
    unless the words end in a comma ("X, responding to Y, said": an aside between commas);
    with the names listed before it when it joins a list ("X, Y and Z said")."""
    segments: list[list[_Token]] = [[]]
    for token in tokens:
        if token.text == ",":
            segments.append([])
        else:
            segments[-1].append(token)
    if not segments[-1] and len(segments) > 1:
        segments.pop()
        if len(segments) > 1:
            segments.pop()
    chosen = segments[-1]
    listed = segments[:-1]
    if any(token.text == "and" for token in chosen):
        while listed and listed[-1] and _name_like(listed[-1]):
            chosen = [*listed.pop(), _Token(",", -1, -1, False), *chosen]
    return chosen


def _name_like(tokens: Sequence[_Token]) -> bool:
    words = [token for token in tokens if token.word]
    return 0 < len(words) <= 6 and all(
        _capitalised(token) or token.text.lower() in _PARTICLES | _DETERMINERS for token in words
    )


def _cut(tokens: list[_Token]) -> list[_Token]:
    """The words before a relative clause or a preposition that qualifies the subject; a
    preposition inside a name ("Ministry for Foreign Affairs") stays."""
    for index in range(1, len(tokens)):
        word = tokens[index].text
        if word in _RELATIVES:
            return tokens[:index]
        if word in _PREPOSITIONS:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if not (_capitalised(tokens[index - 1]) and following and _capitalised(following)):
                return tokens[:index]
    return tokens


def _parts(tokens: list[_Token]) -> list[list[_Token]]:
    """Names a subject joins with "and" or commas: each speaker of a shared quotation."""
    parts: list[list[_Token]] = [[]]
    for token in tokens:
        if token.text in {"and", "&", ","}:
            parts.append([])
        else:
            parts[-1].append(token)
    return [part for part in parts if _words(part)]


def _name_of(part: list[_Token]) -> list[_Token]:
    """The name a part of a subject gives: a person's name after words describing them
    ("Kremlin spokesman Dmitry Peskov", garbled "the world Elsin Amirbayov"), or else the
    part without its determiner ("the Kremlin", "Azerbaijan's defence ministry")."""
    while part and part[0].text.lower() in _DETERMINERS:
        part = part[1:]
    if len(part) > 2 and _POSSESSIVE.search(part[0].text) and part[1].text.lower() in _TITLES:
        part = part[1:]
    runs = _runs(part)
    if runs:
        described = [t for t in part[: part.index(runs[-1][0])] if t.word and not _capitalised(t)]
        # After words describing them, the name is the capitalised words that follow, one
        # (a surname: "the envoy Amirbayov") or more; a capitalised run with no description
        # before it is the whole name already ("the Kremlin").
        if described:
            return runs[-1]
    return part


# Words of a role or a credited phrase that carry no meaning of their own.
_ROLE_NOISE = _DETERMINERS | _PARTICLES
_HEAD_ENDS = frozenset(["of", "in", "for", "at", "from", "who", "which", "that", "with"])


def _role_words(text: str) -> tuple[str, list[str]]:
    """A phrase's head noun (its last word before "of", "in", "who" ...) and its other words,
    folded: "Special Representative of the President" -> ("representative", [...])."""
    words = [
        word for word in WORD.findall(fold(_POSSESSIVE.sub("", text))) if word not in _DETERMINERS
    ]
    stop = next((i for i, word in enumerate(words) if word in _HEAD_ENDS and i), len(words))
    head = words[stop - 1] if words else ""
    return head, [word for word in words if word not in _ROLE_NOISE]


# A speaker's quotes credit them by the same few names ("Mr. Amirbayov" ten times over): kb
# validate and kb check ask again and again, and a person is a frozen record.
@functools.lru_cache(maxsize=65536)
def names_person(name: str, person: Person) -> bool:
    """Whether a credited name stands for ``person``: their name, an alias or a surname
    (match.py's matching: accents, case, Aliev/Aliyev), or the words of their role, head
    noun first ("the Azerbaijani president" for "President of Azerbaijan", "the defender"
    for "human rights defender"). A title alone ("the president of Azerbaijan") is no name.
    """
    cleaned = _POSSESSIVE.sub("", name)
    head, words = _role_words(cleaned)
    if not head:
        return False
    if head not in NAME_NOISE and match_people(cleaned, [person], at_least=NAME_THRESHOLD):
        return True
    if person.role is None:
        return False
    role_head, role = _role_words(person.role)

    def near(word: str, other: str) -> bool:
        return fuzz.ratio(word, other) >= NAME_THRESHOLD

    return near(head, role_head) and all(any(near(word, other) for other in role) for word in words)


def credits(person: Person, credit: Credit) -> bool:
    """Whether ``credit`` names ``person`` (a pronoun and nearby names never do)."""
    return isinstance(credit, Named) and any(
        names_person(name.text, person) for name in credit.names
    )
