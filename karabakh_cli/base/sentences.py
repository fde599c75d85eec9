"""kb's one sentence splitter, and the sentences of a text that hold a given passage.

``kb show`` takes the context of an excerpt from it and ``kb add`` the excerpt it finds, so
both cut a text in the same places.
"""

from __future__ import annotations

import bisect
import re

from karabakh_cli.text import find_verbatim

# A sentence ends at . ! ? or … and any closing quotation marks or brackets, before whitespace;
# a closing mark may stand after a space (French spacing: `fin. »`) and still close the
# sentence before it. A blank line ends one too. The next sentence starts after the whitespace.
_SENTENCE_BREAK = re.compile(r"[.!?…]+(?:[^\S\n]*[\"'”’»)\]])*(?:\s+|$)|\n[^\S\n]*\n\s*")
# A full stop after an initial, a short title or a common abbreviation (J. Smith,
# Mr. Amirbayov, Gen. X, e.g. this) ends nothing. Unsure means no end: a longer excerpt or
# context is still verbatim, where one starting after "Mr." would not read as a sentence.
_ABBREVIATION = re.compile(r"(?<!\w)(?:[A-Z][a-z]{0,2}|e\.g|i\.e|vs|cf|etc)\.$")
_LETTER = re.compile(r"[^\W\d_]")


def starts(text: str) -> list[int]:
    """Where each sentence of ``text`` but the first starts (also where the one before it
    ends, trailing whitespace included), in order; found in one pass over the text.

    A stretch without a letter (a lone closing mark, a row of dashes) is no sentence: it
    joins the sentence before it, or the one after when it opens the text.
    """
    kept: list[int] = []
    # Each character is searched for a letter once: from ``scanned`` on, since the last start.
    scanned, lettered = 0, False
    for boundary in _SENTENCE_BREAK.finditer(text):
        mark = boundary.start()
        if _is_lone_full_stop(text, mark) and _ABBREVIATION.search(
            text, max(0, mark - 4), mark + 1
        ):
            continue
        start = boundary.end()
        lettered = lettered or _LETTER.search(text, scanned, start) is not None
        scanned = start
        if lettered:
            kept.append(start)
            lettered = False
        elif kept:
            kept[-1] = start
    if kept and not _LETTER.search(text, kept[-1]):
        kept.pop()
    return [start for start in kept if start < len(text)]


def _is_lone_full_stop(text: str, mark: int) -> bool:
    """Whether a single '.', not '...' or '.?', stands at ``mark``."""
    return text[mark] == "." and text[mark + 1 : mark + 2] not in {".", "!", "?", "…"}


def holding(text: str, needle: str) -> str | None:
    """The sentence or sentences of ``text`` that hold ``needle``, whitespace runs made one."""
    found = find_verbatim(text, needle)
    if found is None:
        return None
    start, end = found
    breaks = starts(text)
    before = bisect.bisect_right(breaks, start)
    after = bisect.bisect_left(breaks, end)
    begin = breaks[before - 1] if before else 0
    finish = breaks[after] if after < len(breaks) else len(text)
    return " ".join(text[begin:finish].split())
