"""Whether a quote's excerpt credits its recorded speaker, on texts written for the tests."""

from __future__ import annotations

import msgspec
import pytest

from karabakh_cli import model
from karabakh_cli.lookup import credit_checks


def person(name: str, role: str | None = None, *, aliases: tuple[str, ...] = ()) -> model.Person:
    kind = "organisation" if name in ("Kremlin", "Ruritanian Ministry of Defence") else "person"
    record_id = name.lower().replace(" ", "-").replace(".", "")
    return model.Person(
        id=record_id,
        name=name,
        kind=kind,
        role=role,
        aliases=aliases,
        source="src-a",
        excerpt=name,
    )


def quote(text: str, excerpt: str, **fields: object) -> model.Quote:
    return model.Quote(
        id="q-a",
        speaker="someone",
        text=text,
        date="2023-09-21",
        place=None,
        medium="speech",
        source="src-a",
        excerpt=excerpt,
        **fields,  # type: ignore[arg-type]
    )


TESTOVA = person("Ivana Testova", "Foreign minister of Ruritania")
KERBEL = person("Anton Kerbel", "Deputy foreign minister")
BRANDT = person("Olaf Brandt", "General")


def test_a_name_attached_to_a_verb_of_saying_credits_its_speaker() -> None:
    """“…,” said Ivana Testova: her words, and nobody else's."""
    said = quote(
        "We have restored our sovereignty",
        "“We have restored our sovereignty,” said Ivana Testova, the minister.",
    )
    assert credit_checks.problem_of(said, TESTOVA) is None
    problem = credit_checks.problem_of(said, KERBEL)
    assert problem is not None
    assert "credits Ivana Testova" in problem and "not Anton Kerbel" in problem


def test_a_misattribution_names_whom_the_source_credits() -> None:
    """The issue's case: the excerpt names Vardanyan, the curator typed Pashinyan."""
    excerpt = 'Ruben Vardanyan, a former state minister of the region, said on social media: "We will not leave our homeland."'
    said = quote("We will not leave our homeland", excerpt)
    pashinyan = person("Nikol Pashinyan", "Prime Minister of Armenia")
    problem = credit_checks.problem_of(said, pashinyan)
    assert problem is not None and "credits Ruben Vardanyan" in problem
    assert (
        credit_checks.problem_of(said, person("Ruben Vardanyan", "former state minister")) is None
    )


def test_a_pronoun_credits_nobody_unless_inferred_with_a_note() -> None:
    """“He said” names nobody: an error that says how to fix it; inferred, it passes."""
    excerpt = "He said: “The people are leaving.”"
    said = quote("The people are leaving", excerpt)
    problem = credit_checks.problem_of(said, KERBEL)
    assert problem is not None
    assert "widen the excerpt" in problem and '"attribution": "inferred"' in problem
    inferred = quote(
        "The people are leaving", excerpt, attribution="inferred", note="Kerbel, named before"
    )
    assert credit_checks.problem_of(inferred, KERBEL) is None


def test_the_name_in_the_sentence_before_resolves_the_pronoun_within_the_excerpt() -> None:
    """A widened excerpt that names the speaker the sentence before passes."""
    excerpt = "Anton Kerbel spoke in parliament. He said: “The people are leaving.”"
    assert credit_checks.problem_of(quote("The people are leaving", excerpt), KERBEL) is None
    assert credit_checks.problem_of(quote("The people are leaving", excerpt), TESTOVA) is not None


def test_of_two_names_in_one_sentence_the_subject_of_the_verb_is_credited() -> None:
    """“X, responding to Y, said: …” credits X, never Y."""
    excerpt = "Olaf Brandt, responding to Ivana Testova, said: “Nothing is settled.”"
    said = quote("Nothing is settled", excerpt)
    assert credit_checks.problem_of(said, BRANDT) is None
    problem = credit_checks.problem_of(said, TESTOVA)
    assert problem is not None and "credits Olaf Brandt" in problem


def test_a_title_with_a_surname_credits_the_person() -> None:
    """“…,” Mr. Kerbel added: Anton Kerbel's words."""
    excerpt = "“Nothing is settled yet,” Mr. Kerbel added."
    assert credit_checks.problem_of(quote("Nothing is settled yet", excerpt), KERBEL) is None


@pytest.mark.parametrize(
    ("speaker", "excerpt"),
    [
        (person("Kremlin"), "The Kremlin said in a statement: “Talks will be held in Yevlakh.”"),
        (
            person("Ruritanian Ministry of Defence", aliases=("Ministry of Defence",)),
            "The Ruritanian Ministry of Defence announced: “Talks will be held in Yevlakh.”",
        ),
    ],
)
def test_an_organisation_or_a_state_can_be_the_speaker(speaker: model.Person, excerpt: str) -> None:
    """An organisation named with a verb of saying is credited as a person is."""
    assert (
        credit_checks.problem_of(quote("Talks will be held in Yevlakh", excerpt), speaker) is None
    )


def test_a_quotation_two_people_share_credits_each_of_them() -> None:
    """“X and Y said in a joint statement: …” is the words of both."""
    excerpt = "Ivana Testova and Olaf Brandt said in a joint statement: “The ceasefire holds.”"
    said = quote("The ceasefire holds", excerpt)
    assert credit_checks.problem_of(said, TESTOVA) is None
    assert credit_checks.problem_of(said, BRANDT) is None
    assert credit_checks.problem_of(said, KERBEL) is not None


def test_words_the_excerpt_does_not_put_in_marks_are_credited_by_their_sentence() -> None:
    """Ivana Testova said the talks would resume: reported speech credits her too."""
    excerpt = "Ivana Testova said the talks would resume on Friday."
    assert credit_checks.problem_of(quote("the talks would resume", excerpt), TESTOVA) is None
    assert credit_checks.problem_of(quote("the talks would resume", excerpt), BRANDT) is not None


def test_a_garbled_verb_falls_back_to_the_one_name_of_the_sentence() -> None:
    """No verb of saying ("won in a televised speech"): the sentence's one name is read."""
    excerpt = "Ivana Testova won in a televised speech: “We have restored our sovereignty.”"
    said = quote("We have restored our sovereignty", excerpt)
    assert credit_checks.problem_of(said, TESTOVA) is None
    problem = credit_checks.problem_of(said, KERBEL)
    assert problem is not None and "one name is Ivana Testova" in problem


def test_an_inferred_attribution_without_a_note_is_an_error() -> None:
    """The checker reports an inferred attribution with no note, at its field."""
    checker = credit_checks.CreditChecker()
    checker.feed(model.KIND["person"], 0, [KERBEL])
    inferred = quote(
        "The people are leaving", "He said: “The people are leaving.”", attribution="inferred"
    )
    checker.feed(model.KIND["quote"], 0, [msgspec.structs.replace(inferred, speaker=KERBEL.id)])
    problems = checker.finish()
    assert [(problem.field, problem.message) for problem in problems] == [
        ("attribution", "an inferred attribution needs a note saying why")
    ]


def test_the_built_in_quotes_credit_their_speakers() -> None:
    """The nine quotes of the built-in base pass the check."""
    from karabakh_cli.base import factbase

    base = factbase.load(factbase.builtin_path())
    people = {someone.id: someone for someone in base.people}
    assert len(base.quotes) == 9
    for said in base.quotes:
        assert credit_checks.problem_of(said, people[said.speaker]) is None, said.id


@pytest.mark.parametrize("before", ["Later", "Then", "Yesterday", "Afterwards"])
def test_a_word_before_a_pronoun_names_nobody(before: str) -> None:
    """ "Later he added: …" is a pronoun, never a name: unnamed unless inferred with a note."""
    excerpt = f"{before} he added: “The people are leaving.”"
    problem = credit_checks.problem_of(quote("The people are leaving", excerpt), KERBEL)
    assert problem is not None and "widen the excerpt" in problem
    inferred = quote("The people are leaving", excerpt, attribution="inferred", note="Kerbel")
    assert credit_checks.problem_of(inferred, KERBEL) is None


@pytest.mark.parametrize("title", ["The deputy", "Ruritania's deputy", "the deputy minister"])
def test_a_description_before_a_surname_credits_the_person(title: str) -> None:
    """ "The deputy Kerbel said …": the surname after the description is the name."""
    excerpt = f"{title} Kerbel said: “Nothing is settled yet.”"
    said = quote("Nothing is settled yet", excerpt)
    assert credit_checks.problem_of(said, KERBEL) is None
    problem = credit_checks.problem_of(said, TESTOVA)
    assert problem is not None and "credits Kerbel" in problem
