"""The cheap screen before the contraction patterns never changes what they spell out."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from karabakh_cli import text

# Pieces that make contractions, near misses and letters that only case-insensitive
# matching folds onto ASCII ("ſ", the Kelvin sign, dotless i).
_PIECES = st.sampled_from(
    [
        *("won", "can", "shan", "ain", "is", "were", "need", "not", "cannot", "t", "nt"),
        *("it", "they", "let", "re", "ll", "s", "d", "m", "ve", "Won", "CAN"),
        *("'", "’", "ʼ", " ", ".", "_", "ſ", "K", "ı", "agreement"),
    ]
)


def _patterns_only(written: str) -> str:
    """What the contraction patterns make of ``written``, with no screen before them."""
    negatives = text._NEGATIVE.sub(text._spelled_negative, written)
    return text._APOSTROPHE_FORM.sub(text._spelled_apostrophe_form, negatives)


@given(st.lists(_PIECES, max_size=12).map("".join))
def test_screen_keeps_every_contraction(written: str) -> None:
    """Screened or not, a text's contractions are spelled out the same."""
    assert text.spell_out_contractions(written) == _patterns_only(written)


@given(st.lists(st.lists(_PIECES, max_size=8).map("".join), max_size=6))
def test_batch_matches_one_at_a_time(texts: list[str]) -> None:
    """Spelling out a batch gives each text what spelling it out alone gives."""
    assert text.spell_out_contractions_in(texts) == [_patterns_only(each) for each in texts]


def test_screen_passes_a_bare_negative() -> None:
    """A bare negative in capitals, with no apostrophe, is still spelled out."""
    assert text.spell_out_contractions("They WONT go") == "They will not go"


def test_screen_skips_plain_text() -> None:
    """A text with no contraction comes back as it was."""
    assert text.spell_out_contractions("the agreement stands") == "the agreement stands"
