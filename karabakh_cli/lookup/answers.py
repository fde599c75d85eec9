"""who-said's verdict on each quote it finds: whether the reader's words stand in it as written,
hold it whole, or alter it (with the words changed), and whether the speaker the question names
said it. Never prints.

A question is often asked as news reports phrase it: "Putin said the talks would be mediated by
Russian peacekeepers". The name and the verb of saying are no part of the words looked for; the
name is checked against the speaker of what is found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

import msgspec

from karabakh_cli.lookup import match
from karabakh_cli.lookup.attribution import Scored
from karabakh_cli.lookup.crediting import PRONOUNS, VERBS_OF_SAYING
from karabakh_cli.lookup.verdict import Comparison, compare
from karabakh_cli.model import Person

# A name is a few words: "Putin", "Vladimir Putin", "the Kremlin", "Azerbaijan's president".
_MOST_NAME_WORDS = 5
_VERB = "|".join(sorted(map(re.escape, VERBS_OF_SAYING), key=len, reverse=True))
_NAME_SAID = re.compile(
    rf"^\s*(?P<name>[^\s,:;.!?][^,:;.!?]*?)\s+(?:(?:has|had|have)\s+)?(?:{_VERB})\s*(?:that\s+|:\s*|,\s*)?(?P<words>\S.*)$",
    re.I | re.S,
)
_ACCORDING_TO = re.compile(
    r"^\s*according\s+to\s+(?P<name>[^,:]+?)\s*[,:]\s*(?P<words>\S.*)$", re.I | re.S
)
_NAME_COLON = re.compile(r"^\s*(?P<name>[^:]{1,60}?)\s*:\s*(?P<words>\S.*)$", re.S)


_TITLE_STOP = re.compile(r"\b(Mr|Mrs|Ms|Dr|Prof|Gen|Col|Lt|Capt|Sen|Rep|St)\.(?=\s)")


class Asked(NamedTuple):
    """A who-said question: the words to look for, and the name it credits, as typed."""

    words: str
    speaker: str | None = None
    by_colon: bool = False
    """The name stands before a colon ("Putin: …"), which a heading or label does too
    ("Note: …"): only a name the base knows is taken for a speaker."""


def asked(question: str) -> Asked:
    """The question's words and the speaker it names: "NAME said (that) WORDS", "according to
    NAME, WORDS" or "NAME: WORDS". A name must be a few words, so "the talks said to be ..."
    style fragments are kept whole when what comes before the verb is not name-like."""
    # A title's full stop ends no name: "Mr. Putin said ..." names Mr Putin.
    untitled = _TITLE_STOP.sub(r"\1", question)
    for form in (_ACCORDING_TO, _NAME_SAID, _NAME_COLON):
        found = form.match(untitled)
        if found is None:
            continue
        name = found.group("name").strip()
        words = found.group("words").strip()
        if words and _name_like(name):
            return Asked(words, name, by_colon=form is _NAME_COLON)
    return Asked(question.strip())


def _name_like(words: str) -> bool:
    """A few words, one of them capitalised, and not a pronoun: "Putin", "the Kremlin", but
    not "we" in "we say no"."""
    split = words.split()
    return (
        0 < len(split) <= _MOST_NAME_WORDS
        and words.casefold() not in PRONOUNS
        and any(word[:1].isupper() for word in split)
    )


class Verdict(msgspec.Struct, frozen=True):
    """One quote who-said found, with what the reader's words are to it."""

    found: Scored
    comparison: Comparison

    @property
    def match(self) -> str:
        """verbatim, contains (the whole quote stands in the question) or altered."""
        return self.comparison.kind

    @property
    def changes(self) -> str | None:
        """The words changed, added and dropped, as ``restored [-its-] [+our+] sovereignty``."""
        return self.comparison.rendered() if self.comparison.kind == "altered" else None


def verdicts(words: str, found: Iterable[Scored]) -> list[Verdict]:
    """The verdict on each quote found for ``words``; a quote that shares no word of weight
    with them after all (none) is dropped: a score alone is no answer."""
    judged = [Verdict(item, compare(words, item.quote.text, scored_a_match=True)) for item in found]
    return [verdict for verdict in judged if verdict.comparison.kind != "none"]


def standing_inside(words: str, scored: Iterable[Scored]) -> list[Scored]:
    """Of quotes scored below the threshold, those that stand whole inside ``words``: a
    question holding a whole quote and words of its own ("Aliyev said Azerbaijan restored its
    sovereignty") finds that quote, though the words of its own lower its score."""
    return [item for item in scored if compare(words, item.quote.text).kind == "contains"]


class NamedSpeaker(NamedTuple):
    """The speaker a question names, as typed, and the people of the base the name picks out."""

    as_typed: str
    people: list[Person]


def named_speaker(name: str, people: Iterable[Person]) -> NamedSpeaker:
    return NamedSpeaker(name, [found.person for found in match.named_people(name, people)])


def speaker_note(named: NamedSpeaker, verdicts: list[Verdict], names: dict[str, str]) -> str:
    """Whether the quotes found are the words of the speaker the question names, and whose
    they are if not; ``names`` gives each speaker id its name."""
    if not named.people:
        return f"the question names {named.as_typed!r}, whom the fact base does not know: kb cannot tell whether these are their words"
    ids = {person.id for person in named.people}
    who = " or ".join(person.name for person in named.people)
    theirs = [verdict for verdict in verdicts if verdict.found.quote.speaker in ids]
    if theirs:
        others = len(verdicts) - len(theirs)
        also = f"; {others} other quote(s) found are someone else's" if others else ""
        return f"these are {who}'s words ({', '.join(v.found.quote.id for v in theirs)}){also}"
    whose = ", ".join(
        dict.fromkeys(f"{names[v.found.quote.speaker]} ({v.found.quote.id})" for v in verdicts)
    )
    return f"these are NOT {who}'s words: the fact base has them from {whose}"
