"""A reader's words against a quote: verbatim, containing the quote, altered with a word
diff, or not the quote."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from karabakh_cli.lookup.verdict import Change, compare

QUOTE = "These people will not be members of the puppet government, because we do not want it."


@pytest.mark.parametrize(
    "asked",
    [
        QUOTE,
        "members of the puppet government",
        "“These  people WILL not be members”",
        "these people\nwill not be",
        "« puppet government, because »",
    ],
)
def test_verbatim_up_to_marks_whitespace_and_case(asked: str) -> None:
    """A contiguous fragment, its quotation marks, whitespace and case aside, is verbatim."""
    comparison = compare(asked, QUOTE)
    assert comparison.kind == "verbatim"
    assert comparison.closeness == 1.0


def test_a_fragment_must_end_on_word_boundaries() -> None:
    """Part of a word is no fragment of the quote: "uppet govern" is not verbatim."""
    assert compare("uppet govern", QUOTE).kind != "verbatim"


def test_altered_words_show_as_a_diff() -> None:
    """A word changed: restored [-its-] [+our+] sovereignty."""
    comparison = compare("restored our sovereignty", "restored its sovereignty")
    assert comparison.kind == "altered"
    assert comparison.rendered() == "restored [-its-] [+our+] sovereignty"
    assert comparison.changes == (
        Change("kept", "restored", "restored"),
        Change("changed", "its", "our"),
        Change("kept", "sovereignty", "sovereignty"),
    )


def test_dropped_and_added_words() -> None:
    """Words the reader left out are dropped, words of theirs inside the quote added."""
    comparison = compare(
        "These people will not be members of the government, because we really do not want it.",
        QUOTE,
    )
    assert comparison.kind == "altered"
    assert comparison.rendered() == (
        "These people will not be members of the [-puppet-] government, because we "
        "[+really+] do not want it."
    )


def test_a_contraction_is_the_same_words_but_a_named_change() -> None:
    """won't / will not and it's / it is: recognised, never verbatim, named "contraction"."""
    comparison = compare("we won't leave and it is late", "we will not leave and it's late")
    assert comparison.kind == "altered"
    assert comparison.only_contractions
    assert [c.kind for c in comparison.changes] == [
        "kept",
        "contraction",
        "kept",
        "contraction",
        "kept",
    ]
    assert comparison.rendered() == "we [~will not => won't~] leave and [~it's => it is~] late"


def test_a_contraction_beside_a_changed_word() -> None:
    """A contraction and a real change together are not "only contractions"."""
    comparison = compare("we won't stay", "we will not leave")
    assert comparison.kind == "altered"
    assert not comparison.only_contractions
    assert comparison.rendered() == "we [~will not => won't~] [-leave-] [+stay+]"


def test_a_question_holding_the_whole_quote() -> None:
    """Aliyev said Azerbaijan restored its sovereignty: the quote stands inside, with own words."""
    comparison = compare(
        "Aliyev said Azerbaijan “restored its sovereignty”?", "restored its sovereignty"
    )
    assert comparison.kind == "contains"
    assert comparison.contains_quote
    assert comparison.own == ("Aliyev said Azerbaijan",)
    assert comparison.rendered() == "restored its sovereignty"


def test_a_longer_quote_whole_inside_a_question() -> None:
    """A quote of a sentence standing whole in a question with words before and after."""
    comparison = compare(f"Did Amirbayov say {QUOTE.lower()} in Baku", QUOTE)
    assert comparison.kind == "contains"
    assert comparison.own == ("Did Amirbayov say", "in Baku")


def test_a_question_with_an_altered_quote_keeps_its_own_words_apart() -> None:
    """Words before the matched stretch are the question's own, not an addition to the quote."""
    comparison = compare("Aliyev said they restored our sovereignty", "restored its sovereignty")
    assert comparison.kind == "altered"
    assert comparison.own == ("Aliyev said they",)
    assert comparison.rendered() == "restored [-its-] [+our+] sovereignty"


@pytest.mark.parametrize(
    "asked",
    ["the weather in Vienna is fine", "the of and", "", "“ ”"],
)
def test_words_that_are_not_the_quote(asked: str) -> None:
    """Other words, stopwords only, or nothing at all: none."""
    comparison = compare(asked, QUOTE)
    assert comparison.kind == "none"
    assert comparison.changes == ()


_DOUBLE = '“”«»"'
_SINGLE = "‘’'"


@st.composite
def restyled(draw: st.DrawFn) -> tuple[str, str]:
    """A quote and the same quote with other whitespace, letter case and quotation marks."""
    quote = draw(st.text(min_size=1).filter(lambda text: text.strip()))
    out = []
    for char in quote:
        if char.isspace():
            out.append(draw(st.sampled_from([" ", "  ", "\n", "\t"])))
        elif char in _DOUBLE:
            out.append(draw(st.sampled_from(_DOUBLE)))
        elif char in _SINGLE:
            out.append(draw(st.sampled_from(_SINGLE)))
        elif draw(st.booleans()) and char.swapcase().casefold() == char.casefold():
            out.append(char.swapcase())
        else:
            out.append(char)
    return quote, "".join(out)


@given(restyled())
def test_a_quote_restyled_is_verbatim(pair: tuple[str, str]) -> None:
    """A quote compared with itself, after whitespace, case and mark changes, is verbatim."""
    quote, asked = pair
    assert compare(asked, quote).kind == "verbatim"
