"""Whether each quote's excerpt credits the speaker the base records: checked when a quote is
written (kb add) and whenever a base is validated. Never prints.

The excerpt is the source's own words, so it is where the source says who spoke. The quote's
words are found in it, inside the quotation marks that hold them where there are any, and
crediting.py reads whom the text credits for them. A curator who reads the attribution from
context the excerpt does not hold ("he said") records ``"attribution": "inferred"`` and a note
saying why; such a quote passes unless its excerpt names somebody else.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import NamedTuple

from karabakh_cli import model
from karabakh_cli.base.integrity import Location
from karabakh_cli.base.problems import Problem
from karabakh_cli.lookup import crediting
from karabakh_cli.lookup.quotations import find_quotations
from karabakh_cli.text import find_verbatim


@functools.lru_cache(maxsize=4096)
def credit_of(excerpt: str, text: str) -> crediting.Credit | None:
    """Whom ``excerpt`` credits for the quote ``text`` it holds; None where ``text`` does not
    stand in it (the verbatim check reports that). Cached: bases repeat a text and its excerpt
    across records (the same quote reported by many outlets)."""
    span = find_verbatim(excerpt, text)
    if span is None:
        return None
    start, end = span
    holding = [
        quotation
        for quotation in find_quotations(excerpt).quotations
        # A quote's text may take in its own marks ("“We have restored …,”").
        if quotation.start - 1 <= start and end <= quotation.end + 1
    ]
    if holding:
        # The innermost: a quote within a quoted passage is credited by the passage's words.
        return crediting.credited(excerpt, max(holding, key=lambda found: found.depth))
    # Words the excerpt does not put in marks ("Aliev said Azerbaijan had restored its
    # sovereignty") are credited as if it did: the sentence around them is the same.
    marked = f"{excerpt[:start]}“{excerpt[start:end]}”{excerpt[end:]}"
    quotation = next(
        (found for found in find_quotations(marked).quotations if found.start == start + 1), None
    )
    if quotation is None:
        # Marks of the excerpt's own, left open, took the new ones: nobody can be read as credited.
        return crediting.Uncredited("no attribution")
    return crediting.credited(marked, quotation)


def credited_name(credit: crediting.Credit) -> str:
    """Whom a credit names, as the text writes it, for a message."""
    if isinstance(credit, crediting.Named):
        return " and ".join(name.text for name in credit.names)
    if isinstance(credit, crediting.Unnamed):
        return f"{credit.pronoun.text!r} ({credit.pronoun.text} {credit.verb.text})"
    return "nobody by name"


def problem_of(quote: model.Quote, speaker: model.Person | None) -> str | None:
    """What is wrong with whom ``quote``'s excerpt credits, or None where it credits the
    speaker (or the curator recorded the attribution as inferred, and nobody else is named)."""
    if speaker is None:
        return None  # the reference check names the missing speaker
    credit = credit_of(quote.excerpt, quote.text)
    if credit is None or crediting.credits(speaker, credit):
        return None
    if isinstance(credit, crediting.Unnamed) and any(
        crediting.names_person(name.text, speaker) for name in credit.nearby
    ):
        # "Nikol Pashinyan spoke in parliament. He said: ..." names the speaker the sentence
        # before, within the excerpt: the pronoun is his, as any reader of it can tell.
        return None
    if isinstance(credit, crediting.Named) and credit.how != "sole-name":
        return (
            f"the excerpt credits {credited_name(credit)} with these words, not "
            f"{speaker.name}; correct the speaker, or give the excerpt that credits {speaker.name}"
        )
    if quote.attribution == "inferred":
        return None
    if isinstance(credit, crediting.Named):
        return (
            f"the excerpt's one name is {credited_name(credit)}, not {speaker.name}, and no verb "
            "of saying credits anyone; widen the excerpt to the sentence that names the "
            'speaker, or record "attribution": "inferred" with a note saying why'
        )
    return (
        f"the excerpt credits {credited_name(credit)}; widen the excerpt to the sentence that "
        f'names {speaker.name}, or record "attribution": "inferred" with a note saying why'
    )


class _Fed(NamedTuple):
    position: int
    """The quote's index in the base's quotes."""
    quote: model.Quote


class CreditChecker:
    """The attribution check of a base fed a batch of records at a time (base.integrity's
    Checker): people are kept by id, quotes until every person is known."""

    def __init__(self) -> None:
        self.people: dict[str, model.Person] = {}
        self.quotes: list[_Fed] = []

    def feed(
        self, kind: model.KindOfRecord, first_index: int, records: Sequence[model.Record]
    ) -> None:
        if kind.struct is model.Person:
            self.people.update((record.id, record) for record in records)  # type: ignore[misc]
        elif kind.struct is model.Quote:
            self.quotes.extend(
                _Fed(index, record)  # type: ignore[arg-type]
                for index, record in enumerate(records, first_index)
            )

    def finish(self) -> list[Problem]:
        problems = []
        for index, quote in self.quotes:
            if quote.attribution == "inferred" and not quote.note:
                location = Location("quotes", index, quote.id).at("attribution")
                problems.append(location.problem("an inferred attribution needs a note saying why"))
            message = problem_of(quote, self.people.get(quote.speaker))
            if message:
                problems.append(Location("quotes", index, quote.id).at("speaker").problem(message))
        return problems
