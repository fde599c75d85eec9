"""text.py's transforms: contractions spelled out (a cheap screen before the patterns never
changes what they spell out), control and invisible characters made visible, and look-alike
names folded alike."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from karabakh_cli import text
from karabakh_cli.text import spell_out_contractions, spell_out_contractions_in, visible

# Characters that make one name look like another, or reorder a line: zero-width spaces and
# joiners, marks of direction, bidirectional embeddings and isolates, the byte-order mark,
# the line and paragraph separators, a tag character.
LOOK_ALIKE_MAKERS = [
    *map(chr, range(0x200B, 0x2010)),
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
    "\ufeff",
    "\u2028",
    "\u2029",
    "\u00ad",
    "\U000e0041",
]


@pytest.mark.parametrize(
    ("contracted", "spelled"),
    [
        ("won't", "will not"),
        ("Won’t", "will not"),
        ("wont", "will not"),
        ("don't", "do not"),
        ("dont", "do not"),
        ("can't", "can not"),
        ("cannot", "can not"),
        ("cant", "can not"),
        ("isn't", "is not"),
        ("doesn’t", "does not"),
        ("shan't", "shall not"),
        ("they're", "they are"),
        ("it's", "it is"),
        ("we'll", "we will"),
    ],
)
def test_contractions_are_spelled_out(contracted: str, spelled: str) -> None:
    """Each contraction, with or without its apostrophe, becomes its spelled-out form."""
    assert spell_out_contractions(f"they {contracted} go") == f"they {spelled} go"


@given(
    st.lists(
        st.sampled_from(
            ["won't", "dont", "they're", "it's", "Russia's", "want", "cannot", "the", "agreement"]
        ),
        max_size=12,
    )
)
def test_spelling_out_many_texts_is_spelling_out_each(words: list[str]) -> None:
    """The fast path for a whole base gives exactly what spelling out each text gives."""
    texts = [" ".join(words[:index]) for index in range(len(words) + 1)]
    assert spell_out_contractions_in(texts) == [spell_out_contractions(text) for text in texts]


@pytest.mark.parametrize("word", ["dot", "want", "Canton", "wonton", "its", "ill", "well", "were"])
def test_words_that_only_look_like_contractions_stay(word: str) -> None:
    """Words that are not contractions are left alone."""
    assert spell_out_contractions(word) == word


@given(st.text())
def test_spelling_out_never_leaves_a_negative_contraction(text: str) -> None:
    """No n't form survives spelling out, whatever the text."""
    spelled = spell_out_contractions(text)
    assert not re.search(r"\b(?:do|is|was|won|can)n?['’]t\b", spelled, re.IGNORECASE)


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


def _invisible(char: str) -> bool:
    """Whether a character is one that shows nothing or reorders the text around it."""
    return unicodedata.category(char) in ("Cf", "Zl", "Zp")


def _shown(char: str) -> str:
    """A control character as visible shows it: a Control Pictures symbol, or \\xNN for C1;
    an invisible one as its code, \\uNNNN."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code > 0xFF:
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    return "\u2421" if code == 0x7F else f"\\x{code:02x}"


@given(
    st.lists(st.text() | st.sampled_from(LOOK_ALIKE_MAKERS), max_size=8).map("".join),
    st.booleans(),
)
def test_visible_shows_every_control_and_invisible_character_whatever_the_text(
    text: str, keep_newlines: bool
) -> None:
    """text.visible (asked of every cell of a long listing, with a fast path for printable
    text) shows each C0 and C1 control character, but tabs and newlines where kept, and each
    zero-width, bidirectional or separator character."""
    kept = "\t\n" if keep_newlines else ""
    expected = "".join(
        _shown(char)
        if char not in kept and (ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F or _invisible(char))
        else char
        for char in text
    )
    assert visible(text, keep_newlines=keep_newlines) == expected


def test_every_invisible_character_of_this_unicode_is_shown_and_unprintable() -> None:
    """The list of invisible characters covers every format character and separator of the
    running Python's Unicode, and holds none that is printable (visible's fast path)."""
    everything = "".join(map(chr, range(0x110000)))
    for char in everything:
        if _invisible(char):
            assert visible(char) == _shown(char), hex(ord(char))
    invisible = set(text._INVISIBLE.findall(everything))
    assert not any(char.isprintable() for char in invisible)


@pytest.mark.parametrize("maker", LOOK_ALIKE_MAKERS)
def test_a_name_with_an_invisible_character_folds_as_the_name(maker: str) -> None:
    """Zero-width and bidirectional characters fold away: the look-alike is the same name."""
    assert text.fold(f"Vladimir Pu{maker}tin") == text.fold("Vladimir Putin")
    assert text.fold_each([f"Ker{maker}bel", "Kerbel"]) == ["kerbel", "kerbel"]
