"""Quotations found in a text, whom the text credits for each, and whether a credit names a
person: on texts written for the tests, and on the built-in source for its recorded quotes."""

from __future__ import annotations

import time
from pathlib import Path

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from karabakh_cli.lookup.crediting import (
    Named,
    Uncredited,
    Unnamed,
    credited,
    credits,
    names_person,
)
from karabakh_cli.lookup.quotations import Quotation, find_quotations, iter_quotations
from karabakh_cli.model import FactBase, Person
from karabakh_cli.text import contains_verbatim, find_verbatim

REPO = Path(__file__).resolve().parent.parent.parent


def person(name: str, *aliases: str, role: str | None = None, kind: str = "person") -> Person:
    """A person record for matching, with only what matching reads."""
    return msgspec.convert(
        {
            "id": "p",
            "name": name,
            "kind": kind,
            "role": role,
            "aliases": list(aliases),
            "source": "s",
            "excerpt": name,
        },
        Person,
    )


def only(text: str) -> Quotation:
    """The one quotation of ``text`` at depth 0."""
    found = [q for q in find_quotations(text).quotations if q.depth == 0]
    assert len(found) == 1, found
    return found[0]


def names(text: str, quotation: Quotation | None = None) -> list[str]:
    """The names ``text`` credits for its one quotation (or ``quotation``)."""
    credit = credited(text, quotation or only(text))
    assert isinstance(credit, Named), credit
    return [name.text for name in credit.names]


# Finding quotations


def test_mixed_marks_pair_by_kind() -> None:
    """« » “ ” " and ‘ ’ all open and close; a double mark closes any double (“… »)."""
    text = 'A «one» and “two” and "three" and ‘four’ and “five ».'
    found = find_quotations(text)
    assert [(q.text, q.opening, q.closing) for q in found.quotations] == [
        ("one", "«", "»"),
        ("two", "“", "”"),
        ("three", '"', '"'),
        ("four", "‘", "’"),
        ("five ", "“", "»"),
    ]
    assert found.warnings == []


def test_nested_quotations_have_their_depth() -> None:
    """A quotation inside a quotation is its own, one level deeper."""
    text = "He said: “They told me ‘we will “never” leave’ and left.”"
    found = find_quotations(text).quotations
    assert [(q.text, q.depth) for q in found] == [
        ("They told me ‘we will “never” leave’ and left.", 0),
        ("we will “never” leave", 1),
        ("never", 2),
    ]


def test_apostrophes_are_not_marks() -> None:
    """don’t, Azerbaijan’s, l’armée, the ’90s and a possessive s’ open and close nothing."""
    text = "Azerbaijan’s army don’t care; l’armée of the ’90s; the separatists’ forces."
    assert find_quotations(text) == ([], [])


def test_possessive_inside_a_single_quotation_is_not_its_close() -> None:
    """‘the peacekeepers’ leadership’: the s’ before a word is a possessive when a close follows."""
    text = "She wrote ‘the peacekeepers’ leadership stays’ in her notes."
    assert [q.text for q in find_quotations(text).quotations] == [
        "the peacekeepers’ leadership stays"
    ]


def test_possessive_at_the_end_of_a_single_quotation_closes_it() -> None:
    """With no other close, the s’ closes the quotation it ends."""
    text = "‘We protect the peacekeepers’ he said."
    assert [q.text for q in find_quotations(text).quotations] == ["We protect the peacekeepers"]


def test_unbalanced_marks_are_warnings_with_their_line() -> None:
    """A mark never closed, or closing nothing, is a warning with its line and column."""
    text = "First line.\nThen “an open quote\n\nand » a stray close."
    found = find_quotations(text)
    assert found.quotations == []
    assert [(w.mark, w.line, w.column, w.problem) for w in found.warnings] == [
        ("“", 2, 6, "never closed"),
        ("»", 4, 5, "closes nothing"),
    ]
    assert found.warnings[0].message == "line 2, column 6: “ never closed"


def test_line_and_column_of_the_opening_mark() -> None:
    """Line and column are 1-based, of the opening mark."""
    quotation = only("one\ntwo\n  and «three» here")
    assert (quotation.line, quotation.column) == (3, 7)


def test_a_quotation_ends_at_a_blank_line() -> None:
    """An opening mark left open is never closed by a mark of the next paragraph."""
    found = find_quotations("“open\n\nlater” text “whole”")
    assert [q.text for q in found.quotations] == ["whole"]
    assert [w.problem for w in found.warnings] == ["never closed", "closes nothing"]


def test_long_texts_take_linear_time() -> None:
    """Marks that never close, and closes of a kind never open, are not rescanned each time."""
    # 30,000 of each: a scan back over the open marks at each mark would take minutes.
    text = "‘a " * 30_000 + "” " * 30_000 + "“x” said Y. " * 30_000 + "\n\n" + "a’b " * 30_000
    started = time.perf_counter()
    count = sum(isinstance(found, Quotation) for found in iter_quotations(text))
    assert count == 30_000
    assert time.perf_counter() - started < 10


@given(st.text(alphabet=st.sampled_from("ab s’‘“”«»\"\n.,'")), st.text())
def test_never_raises_and_offsets_slice_back(marks: str, anything: str) -> None:
    """On any text: no exception, each quotation is ``text[start:end]`` between its marks."""
    for text in (marks, anything):
        found = find_quotations(text)
        for quotation in found.quotations:
            assert text[quotation.start : quotation.end] == quotation.text
            assert text[quotation.start - 1] == quotation.opening
            assert text[quotation.end] == quotation.closing
        for warning in found.warnings:
            assert text[warning.offset] == warning.mark


# Whom the text credits


def test_a_pronoun_credits_nobody_by_name() -> None:
    """“…,” he said: an Unnamed credit, with the name of the sentence before as nearby only."""
    text = "Ilham Aliyev addressed the nation on Wednesday. “We have won,” he said."
    credit = credited(text, only(text))
    assert isinstance(credit, Unnamed)
    assert (credit.pronoun.text, credit.verb.text) == ("he", "said")
    assert [name.text for name in credit.nearby] == ["Ilham Aliyev"]
    assert not credits(person("Ilham Aliyev"), credit)


def test_the_subject_of_the_verb_not_the_name_it_responds_to() -> None:
    """X, responding to Y, said: credits X."""
    text = "Hikmet Hajiyev, responding to Nikol Pashinyan, said: “Nothing changes.”"
    assert names(text) == ["Hikmet Hajiyev"]


def test_a_title_attaches_to_the_surname() -> None:
    """“…,” said Mr. Amirbayov: the name is "Mr. Amirbayov", which names Elchin Amirbayov."""
    text = "“The talks will be short,” said Mr. Amirbayov."
    credit = credited(text, only(text))
    assert isinstance(credit, Named)
    assert [name.text for name in credit.names] == ["Mr. Amirbayov"]
    assert credits(person("Elchin Amirbayov"), credit)
    assert not credits(person("Elchin Mammadov"), credit)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The Kremlin said: “We are in contact with both sides.”", "Kremlin"),
        (
            "Azerbaijan’s defence ministry said: “Operations are over.”",
            "Azerbaijan’s defence ministry",
        ),
        (
            "“Units withdrew,” the Russian Ministry of Defense announced.",
            "Russian Ministry of Defense",
        ),
        ("Armenia said “the talks are a sham”.", "Armenia"),
    ],
)
def test_an_organisation_or_a_state_as_speaker(text: str, name: str) -> None:
    """A ministry, the Kremlin or a state credited by a verb of saying."""
    assert names(text) == [name]


def test_a_quotation_two_people_share() -> None:
    """X and Y said in a joint statement: credits both."""
    text = "Ruritania’s foreign minister Anna Berg and Olaf Lind said in a joint statement: “We agree.”"
    assert names(text) == ["Anna Berg", "Olaf Lind"]


def test_both_halves_of_a_quotation_split_by_its_attribution() -> None:
    """“First part,” said X, “second part.”: both halves credit X."""
    text = "“The road stays open,” said Olaf Lind, “and so does the border.”"
    first, second = find_quotations(text).quotations
    assert names(text, first) == names(text, second) == ["Olaf Lind"]


def test_an_attribution_inside_misplaced_marks() -> None:
    """“Two are expected, Mr. Lind says. Both will stay. »: the clause inside the marks."""
    text = "On the talks, “Two are expected, Mr. Lind says. Both will stay. »\n\nNext."
    credit = credited(text, only(text))
    assert isinstance(credit, Named)
    assert ([name.text for name in credit.names], credit.how) == (["Mr. Lind"], "inside")


def test_a_garbled_verb_credits_the_one_name_of_the_sentence() -> None:
    """No verb of saying ("won in a televised speech"): the sentence's one name, flagged so."""
    text = "On Monday, Anna Berg won in a televised speech: “We restored our borders.”"
    credit = credited(text, only(text))
    assert isinstance(credit, Named)
    assert ([name.text for name in credit.names], credit.how) == (["Anna Berg"], "sole-name")


def test_two_names_and_no_verb_credit_nobody() -> None:
    """Without a verb of saying, two names in the sentence are no answer: both are candidates."""
    text = "Anna Berg met Olaf Lind in Vienna: “A new start.”"
    credit = credited(text, only(text))
    assert isinstance(credit, Uncredited)
    assert credit.reason == "several names"
    assert [name.text for name in credit.candidates] == ["Anna Berg", "Olaf Lind", "Vienna"]


def test_a_nested_quotation_is_credited_inside_its_quotation() -> None:
    """“Lind told me ‘we stay’,” said Berg: the inner words are Lind's, the outer Berg's."""
    text = "“Olaf Lind told me ‘we stay’ twice,” said Anna Berg."
    outer, inner = find_quotations(text).quotations
    assert names(text, outer) == ["Anna Berg"]
    assert names(text, inner) == ["Olaf Lind"]


def test_according_to_and_a_colon() -> None:
    """According to X, “…”; X: “…”."""
    assert names("According to Olaf Lind, “the border is open.”") == ["Olaf Lind"]
    assert names("Anna Berg: “We will see.”") == ["Anna Berg"]


def test_credit_offsets_slice_back() -> None:
    """A credited name's offsets are where the text writes it."""
    text = "Intro.\n\nLater on, “Quiet,” said Olaf Lind."
    credit = credited(text, only(text))
    assert isinstance(credit, Named)
    name = credit.names[0]
    assert text[name.start : name.end] == name.text == "Olaf Lind"


@pytest.mark.parametrize(
    ("name", "record", "expected"),
    [
        ("Ilham Aliev", person("Ilham Aliyev"), True),
        ("the Azerbaijani president", person("Ilham Aliyev", role="President of Azerbaijan"), True),
        (
            "the president of Azerbaijan",
            person("Ilham Aliyev", role="President of Azerbaijan"),
            True,
        ),
        (
            "the president of Azerbaijan",
            person(
                "Elchin Amirbayov", role="Special Representative of the President of Azerbaijan"
            ),
            False,
        ),
        ("the president of Azerbaijan", person("Azerbaijan", kind="state"), False),
        ("the defender", person("Anonymous", role="human rights defender"), True),
        ("Kremlin", person("Presidential Administration", "Kremlin", kind="organisation"), True),
        (
            "Azerbaijan’s defence ministry",
            person("Ministry of Defence of Azerbaijan", kind="organisation"),
            True,
        ),
        ("Azerbaijan’s defence ministry", person("Azerbaijan", kind="state"), False),
        ("Putin", person("Ilham Aliyev", role="President of Azerbaijan"), False),
    ],
)
def test_names_person(name: str, record: Person, expected: bool) -> None:
    """A credited name matches a name, alias, surname or the words of a role, head noun first."""
    assert names_person(name, record) is expected


# The built-in source and its recorded quotes


def test_each_recorded_quote_is_found_and_credited_to_its_speaker() -> None:
    """In the built-in source, each quote of facts.json stands in a quotation credited to its
    recorded speaker, and to no other person of the base."""
    base = msgspec.json.decode((REPO / "facts.json").read_bytes(), type=FactBase)
    sources = {source.id: source for source in base.sources}
    assert len(base.quotes) == 9
    for quote in base.quotes:
        archive = sources[quote.source].archive
        assert archive is not None
        text = (REPO / archive.path).read_text(encoding="utf-8")
        # The quote as it stands in its excerpt: a word such as "start" stands elsewhere too.
        excerpt = find_verbatim(text, quote.excerpt)
        assert excerpt is not None, quote.id
        holding = [
            q
            for q in find_quotations(text).quotations
            if excerpt[0] <= q.start
            and q.end <= excerpt[1]
            and contains_verbatim(q.text, quote.text)
        ]
        assert len(holding) == 1, quote.id
        credit = credited(text, holding[-1])
        credited_people = {p.id for p in base.people if credits(p, credit)}
        assert credited_people == {quote.speaker}, (quote.id, credit)
