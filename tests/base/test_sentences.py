"""kb's one sentence splitter, shared by show's context and add's excerpt finding."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from karabakh_cli.base import archive, sentences

TALK = (
    "Talks went on. “Two or three are expected, Mr. Amirbayov says. J. R. Smith agreed, "
    "e.g. on the date.” Nothing was signed.\n\n"
    "« Nous ne participerons pas. » Russia disagrees. — . Moscow spoke last."
)


def split(text: str) -> list[str]:
    """``text`` cut where the splitter says, each piece stripped."""
    cuts = [0, *sentences.starts(text), len(text)]
    return [text[begin:end].strip() for begin, end in itertools.pairwise(cuts)]


def test_abbreviations_initials_and_marks_stay_in_their_sentence() -> None:
    """Mr., initials and e.g. end nothing; ` »` closes the sentence before; no letterless sentence."""
    assert split(TALK) == [
        "Talks went on.",
        "“Two or three are expected, Mr. Amirbayov says.",
        "J. R. Smith agreed, e.g. on the date.”",
        "Nothing was signed.",
        "« Nous ne participerons pas. »",
        "Russia disagrees. — .",
        "Moscow spoke last.",
    ]


@pytest.mark.parametrize(
    ("excerpt", "context"),
    [
        (
            "Russia disagrees.",
            "« Nous ne participerons pas. » Russia disagrees. — . Moscow spoke last.",
        ),
        (
            "Nothing was signed.",
            "J. R. Smith agreed, e.g. on the date.” Nothing was signed. "
            "« Nous ne participerons pas. »",
        ),
    ],
)
def test_show_context_uses_the_same_splitter(excerpt: str, context: str) -> None:
    """show's sentence before and after are whole sentences: no lone `»`, no cut at `Mr.`."""
    found = archive.locate(TALK, "sources/x.txt", excerpt)
    assert found is not None
    assert found.context == context


def test_add_finds_the_same_sentences() -> None:
    """kb add's excerpt holding a word is the splitter's sentence around it."""
    assert sentences.holding(TALK, "Amirbayov") == "“Two or three are expected, Mr. Amirbayov says."
    assert sentences.holding(TALK, "participerons") == "« Nous ne participerons pas. »"


@given(st.text(alphabet=st.sampled_from(list("ab .»”\n\u00a0M")), max_size=60))
def test_the_pieces_cover_the_text_and_each_has_a_letter(text: str) -> None:
    """Cuts are increasing and inside the text; every piece but a letterless text has a letter."""
    cuts = sentences.starts(text)
    assert cuts == sorted(set(cuts))
    assert all(0 < cut < len(text) for cut in cuts)
    if any(character.isalpha() for character in text):
        assert all(any(character.isalpha() for character in piece) for piece in split(text))
