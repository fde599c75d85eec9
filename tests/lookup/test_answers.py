"""who-said's verdicts and the speaker a question names: the core, then through the command."""

from __future__ import annotations

import csv
import io
import json

import pytest

from karabakh_cli.lookup import answers
from tests.conftest import Invoke


@pytest.mark.parametrize(
    ("question", "words", "speaker"),
    [
        ("Putin said the talks would be mediated", "the talks would be mediated", "Putin"),
        ("Vladimir Putin has said that talks will be held", "talks will be held", "Vladimir Putin"),
        ("According to the Kremlin, talks will be held", "talks will be held", "the Kremlin"),
        ("Putin: these talks will take place", "these talks will take place", "Putin"),
    ],
)
def test_a_question_naming_a_speaker_is_split_into_the_name_and_the_words(
    question: str, words: str, speaker: str
) -> None:
    """NAME said (that) WORDS, according to NAME, WORDS and NAME: WORDS."""
    assert answers.asked(question)[:2] == (words, speaker)


@pytest.mark.parametrize(
    "question",
    [
        "we say no to war",
        "the russians said nothing",
        "restored its sovereignty",
        "They said the talks had begun",
    ],
)
def test_words_that_name_nobody_are_kept_whole(question: str) -> None:
    """A pronoun, no capitalised word or no verb of saying: the question is all words."""
    assert answers.asked(question) == answers.Asked(question)


@pytest.mark.parametrize(
    ("question", "match", "changes"),
    [
        ("the Russians will not participate", "verbatim", None),
        ("we restored our sovereignty", "altered", "[+we+] restored [-its-] [+our+] sovereignty"),
        (
            "the russians won't participate",
            "altered",
            "the Russians [~will not => won't~] participate",
        ),
        ("Azerbaijan restored its sovereignty", "contains", None),
    ],
)
def test_who_said_names_each_answer_verbatim_altered_or_contained(
    invoke: Invoke, question: str, match: str, changes: str | None
) -> None:
    """The verdict and the diff, in JSON, beside the score."""
    result = invoke("who-said", question, "--json")
    assert result.exit_code == 0, result.stderr
    first = json.loads(result.stdout)[0]
    assert (first["match"], first["changes"]) == (match, changes)
    assert isinstance(first["score"], float)


@pytest.mark.parametrize("fmt", ["plain", "csv", "markdown", "table"])
def test_the_diff_reaches_every_format(invoke: Invoke, fmt: str) -> None:
    """The words changed are in every format a person or a script reads."""
    result = invoke("who-said", "we restored our sovereignty", "--format", fmt)
    assert result.exit_code == 0
    shown = result.stdout.replace("\\[", "[").replace("\\]", "]")  # Markdown's escapes
    assert "altered" in shown
    assert "[-its-]" in shown and "[+our+]" in shown
    if fmt == "csv":
        (row,) = csv.DictReader(io.StringIO(result.stdout))
        assert row["changes"] == "[+we+] restored [-its-] [+our+] sovereignty"


def test_a_named_speaker_who_said_it_is_confirmed(invoke: Invoke) -> None:
    """ "Aliyev said …" holding his quote: his words, said on stderr and as said_by_named."""
    result = invoke("who-said", "Aliyev said Azerbaijan restored its sovereignty", "--json")
    assert result.exit_code == 0
    (first,) = json.loads(result.stdout)
    assert (first["id"], first["match"], first["said_by_named"]) == (
        "q-aliyev-sovereignty",
        "contains",
        True,
    )
    assert "these are Ilham Aliyev's words (q-aliyev-sovereignty)" in result.stderr


def test_a_named_speaker_who_did_not_say_it_is_told_whose_words_they_are(invoke: Invoke) -> None:
    """Amirbayov credited with the Kremlin's words: NOT his, and whose they are."""
    question = "Amirbayov said the talks would be mediated by Russian peacekeepers"
    result = invoke("who-said", question, "--json")
    assert result.exit_code == 0
    first = json.loads(result.stdout)[0]
    assert (first["id"], first["match"], first["said_by_named"]) == (
        "q-putin-mediation",
        "altered",
        False,
    )
    assert "peacekeeping" in first["changes"]
    assert "NOT Elchin Amirbayov's words" in result.stderr
    assert "Vladimir Putin (q-putin-mediation)" in result.stderr


def test_a_speaker_the_base_does_not_know_is_said_to_be_unknown(invoke: Invoke) -> None:
    """Heydar Aliyev is not Ilham Aliyev: kb cannot tell, and says so; said_by_named is null."""
    result = invoke("who-said", "Heydar Aliyev said restored its sovereignty", "--json")
    assert result.exit_code == 0
    first = json.loads(result.stdout)[0]
    assert first["said_by_named"] is None
    assert "whom the fact base does not know" in result.stderr


def test_a_label_before_a_colon_is_no_speaker(invoke: Invoke) -> None:
    """ "Note: …" names nobody the base knows: no word about a speaker."""
    result = invoke("who-said", "Note: there is no celebration for now", "--json")
    assert result.exit_code == 0
    assert "said_by_named" not in json.loads(result.stdout)[0]
    assert "does not know" not in result.stderr


def test_words_nobody_said_are_still_refused(invoke: Invoke) -> None:
    """A verdict is no licence to guess: far words are refused with exit 1, as before."""
    result = invoke("who-said", "the weather in Baku was mild", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []
    assert "NOT a match" in result.stderr or "no quote in the fact base matches" in result.stderr


def test_a_title_s_full_stop_ends_no_name() -> None:
    """ "Mr. Putin said …" names Mr Putin, as "Mr Putin said …" does."""
    assert answers.asked("Mr. Putin said two or three are expected") == answers.Asked(
        "two or three are expected", "Mr Putin"
    )


def test_listings_of_a_translated_source_say_it_is_a_translation(invoke: Invoke) -> None:
    """The verdict 'verbatim' is about the translation's words: the footer says so."""
    result = invoke("who-said", "the Russians will not participate", "--format", "table")
    assert result.exit_code == 0
    assert "English machine translation of the French original" in " ".join(result.stdout.split())


def test_a_long_question_is_named_by_its_start_in_a_refusal(invoke: Invoke) -> None:
    """A whole paragraph asked and refused gives one short line, not the paragraph again."""
    question = "lorem ipsum dolor sit amet " * 40
    result = invoke("who-said", question)
    assert result.exit_code == 1
    assert len(result.stderr) < 400
    assert "lorem ipsum dolor" in result.stderr and "…" in result.stderr
