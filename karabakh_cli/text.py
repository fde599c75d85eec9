"""Small text transforms shared by the checks, the matcher and the renderer."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Sequence

# The source mixes typographic quotation marks (“ ” ’ « »); a verbatim check treats every
# double mark alike and every single mark alike, and nothing else.
_QUOTE_MARKS = {
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "‘": "'",
    "’": "'",
    "‚": "'",
}
_WHITESPACE = re.compile(r"\s+")


def _fold_marks(text: str) -> str:
    # A replace per mark is ten times faster than str.translate on a text that is not ASCII.
    for mark, plain in _QUOTE_MARKS.items():
        text = text.replace(mark, plain)
    return text


def normalise_quoting(text: str) -> str:
    """Fold quotation marks and runs of whitespace, for verbatim comparisons."""
    return _WHITESPACE.sub(" ", _fold_marks(text)).strip()


def contains_verbatim(haystack: str, needle: str) -> bool:
    """Whether ``needle`` occurs in ``haystack`` up to quotation marks and whitespace."""
    # Most texts stand exactly in their excerpt; normalising is the slow path.
    return needle in haystack or normalise_quoting(needle) in normalise_quoting(haystack)


# Only a run of two or more whitespace characters changes length when normalised; the quotation
# marks and a lone whitespace character map one to one.
_LONG_WHITESPACE = re.compile(r"\s{2,}")


def find_verbatim(haystack: str, needle: str) -> tuple[int, int] | None:
    """Where ``needle`` first occurs in ``haystack`` up to quotation marks and whitespace.

    Both are normalised and compared with ``str.find``; the span found is mapped back to
    ``haystack``'s own offsets. Linear in the length of both, whatever the needle holds.
    """
    target = normalise_quoting(needle)
    if not target:
        return None
    folded = _fold_marks(haystack)
    # Not stripped, unlike normalise_quoting: an index into it maps back without a shift.
    found = _WHITESPACE.sub(" ", folded).find(target)
    if found < 0:
        return None
    # Offsets in the normalised text, in order: the first character and the last one.
    pending = [found, found + len(target) - 1]
    mapped: list[int] = []
    removed = 0
    for run in _LONG_WHITESPACE.finditer(folded):
        run_at = run.start() - removed
        while pending and pending[0] <= run_at:
            mapped.append(pending.pop(0) + removed)
        if not pending:
            break
        removed += len(run.group()) - 1
    mapped += [offset + removed for offset in pending]
    return mapped[0], mapped[1] + 1


# Characters that show nothing, or change how the text around them shows, so that two names
# look alike or a line reads in another order: Unicode's format characters (zero-width
# spaces and joiners, bidirectional controls, the byte-order mark, tags; general category
# Cf, as of Unicode 15.1) and the line and paragraph separators (Zl, Zp). None is printable,
# so text.isprintable() still tells a text without one.
_INVISIBLE_CLASS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f"
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_CLASS}]")


# Letters that do not decompose into a base letter and a mark under NFKD.
_UNDECOMPOSABLE = str.maketrans({"ə": "e", "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss"})


def fold(text: str) -> str:
    """Case- and accent-insensitive form, without invisible characters: ``İlham Əliyev`` ->
    ``ilham eliyev``, and ``Pu\u200btin`` -> ``putin``, so a look-alike is the same name."""
    if text.isascii():
        return text.lower()
    if not text.isprintable():
        text = _INVISIBLE.sub("", text)
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_UNDECOMPOSABLE))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold_each(texts: Sequence[str]) -> list[str]:
    """``fold`` of each text: when all are ASCII (names and quotes mostly are), lower-cased at
    once as one string, with no Python step per text."""
    joined = "\n".join(texts)
    if joined.isascii() and len(folded := joined.lower().split("\n")) == len(texts):
        return folded
    return [text.lower() if text.isascii() else fold(text) for text in texts]


def _visible(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


_CONTROL = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_INVISIBLE_CLASS}]")
_CONTROL_OR_BREAK = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_INVISIBLE_CLASS}]")


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """Show C0 and C1 control characters as symbols (ESC as ␛) so they cannot drive a
    terminal, and invisible characters (zero-width, bidirectional controls, line separators)
    as their code (``\\u200b``), so that no name or line passes for another."""
    if text.isprintable():
        # No control or invisible character (they are all unprintable): the common case,
        # five times faster to tell than to search for one, and asked for each cell of a
        # long listing.
        return text
    pattern = _CONTROL if keep_newlines else _CONTROL_OR_BREAK
    return pattern.sub(lambda found: _visible(found.group()), text)


# English contractions and their spelled-out forms, so "won't", "wont" and "will not" are one
# phrase to the matcher. The negative ones are also written without the apostrophe, as people
# type them; the others are not, since "ill", "well" and "were" are words of their own.
_IRREGULAR_NEGATIVES = {"won": "will", "can": "can", "shan": "shall", "ain": "is"}
_REGULAR_NEGATIVES = (
    *("is", "are", "was", "were", "do", "does", "did", "has", "have", "had"),
    *("would", "should", "could", "must", "need"),
)
_APOSTROPHES = "'’ʼ"
_NEGATIVE = re.compile(
    rf"\b(?:({'|'.join(_IRREGULAR_NEGATIVES)})[{_APOSTROPHES}]?t"
    rf"|({'|'.join(_REGULAR_NEGATIVES)})n[{_APOSTROPHES}]?t"
    r"|(cannot))\b",
    re.IGNORECASE,
)
_APOSTROPHE_ENDINGS = {"m": "am", "re": "are", "ve": "have", "ll": "will", "d": "would"}
_APOSTROPHE_FORM = re.compile(
    rf"\b(i|you|we|they|he|she|it|that|there|who|what)[{_APOSTROPHES}](m|re|ve|ll|d)\b"
    rf"|\b(it|that|there|what|he|she|who)[{_APOSTROPHES}]s\b|\blet[{_APOSTROPHES}]s\b",
    re.IGNORECASE,
)
# Every word the spelled-out forms hold: a query without one of them matches the same texts
# whether or not their contractions are spelled out.
SPELLED_OUT_WORDS = frozenset(
    ["not", "is", "us", *_IRREGULAR_NEGATIVES.values(), *_REGULAR_NEGATIVES]
).union(_APOSTROPHE_ENDINGS.values())
# A contraction written without its apostrophe is one of these (or holds one, as "cannot").
_BARE_NEGATIVES = (
    "cannot",
    *(f"{stem}t" for stem in _IRREGULAR_NEGATIVES),
    *(f"{stem}nt" for stem in _REGULAR_NEGATIVES),
)

# Searched in ASCII text lowered, where ignoring case is lowering: a pattern that ignores case
# is ten times slower.
_BARE_NEGATIVE = re.compile("|".join(_BARE_NEGATIVES))


def _spelled_negative(found: re.Match[str]) -> str:
    if found.group(3):
        return "can not"
    irregular, regular = found.group(1), found.group(2)
    return f"{_IRREGULAR_NEGATIVES[irregular.lower()] if irregular else regular.lower()} not"


def _spelled_apostrophe_form(found: re.Match[str]) -> str:
    if found.group(1):
        return f"{found.group(1).lower()} {_APOSTROPHE_ENDINGS[found.group(2).lower()]}"
    if found.group(3):
        return f"{found.group(3).lower()} is"
    return "let us"


def _may_hold_contraction(text: str) -> bool:
    """Whether the contraction patterns can match ``text``: a few substring tests, against the
    patterns trying every word."""
    if not text.isascii():
        # Ignoring case, the patterns also match letters such as "ſ" and "K" (Kelvin) that
        # lower() keeps apart: only the patterns themselves can tell.
        return True
    # Without an apostrophe a contraction is one of the bare negatives.
    return "'" in text or _BARE_NEGATIVE.search(text.lower()) is not None


def spell_out_contractions(text: str) -> str:
    """Contractions written out in lower case: ``Won't`` -> ``will not``, ``cannot`` ->
    ``can not``, ``they're`` -> ``they are``; the rest of the text is left as it is."""
    if not _may_hold_contraction(text):
        return text
    return _APOSTROPHE_FORM.sub(_spelled_apostrophe_form, _NEGATIVE.sub(_spelled_negative, text))


def spell_out_contractions_in(texts: list[str]) -> list[str]:
    """``spell_out_contractions`` of each text, at a fraction of its cost on a large base.

    The patterns try every word; an ASCII text goes through them only if it holds an
    apostrophe or one of the bare negatives found among the distinct words of all the texts,
    each word looked at once rather than each text searched for every bare negative.
    """
    # Split at whitespace (the separator "\x1f" is some), so a bare negative in a text is
    # inside one of these words.
    words = set("\x1f".join(texts).lower().split())
    # Every bare negative holds "nt" or "not": only the words holding one are searched.
    candidates = "\x1f".join(word for word in words if "nt" in word or "not" in word)
    present = [bare for bare in _BARE_NEGATIVES if bare in candidates]

    def may_hold_one(text: str) -> bool:
        if not text.isascii() or "'" in text:
            return True
        lowered = text.lower() if present else ""
        return any(bare in lowered for bare in present)

    return [spell_out_contractions(text) if may_hold_one(text) else text for text in texts]


def wrap_message(message: str, width: int) -> str:
    """``message`` folded at word boundaries to ``width`` columns, each continuation line
    indented so the message still reads as one; a word longer than the width (a path, an id)
    stays whole rather than be cut where a reader would copy it."""
    return "\n".join(
        textwrap.fill(
            line,
            width,
            subsequent_indent=_CONTINUATION,
            break_long_words=False,
            break_on_hyphens=False,
        )
        or line
        for line in message.split("\n")
    )


# Under the "kb: " of the message's first line.
_CONTINUATION = "    "


def listed(items: Sequence[str], conjunction: str = "and") -> str:
    """``a, b and c``: items as a sentence lists them."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"
