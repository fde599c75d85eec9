"""The sentences of a text that hold a given passage: the excerpt kb add finds."""

from __future__ import annotations

import re

from karabakh_cli.text import find_verbatim

# A sentence ends at . ! ? or … (and any closing quotation marks or brackets) before
# whitespace, or at a blank line.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|\n[ \t]*\n")
# A full stop after an initial or a short title (J. Smith, Mr. Amirbayov, Gen. X) ends nothing.
_ABBREVIATION = re.compile(r"(?:^|\W)[A-Z][a-z]{0,2}\.$")


def holding(text: str, needle: str) -> str | None:
    """The sentence or sentences of ``text`` that hold ``needle``, whitespace runs made one.

    A full stop kb is unsure of is taken as no end: a longer excerpt is still verbatim, where
    one starting after "Mr." would not read as a sentence.
    """
    found = find_verbatim(text, needle)
    if found is None:
        return None
    start, end = found
    begin, finish = 0, len(text)
    for boundary in _SENTENCE_END.finditer(text):
        stop = boundary.start() + 1
        if text[boundary.start()] == "." and _ABBREVIATION.search(text, max(0, stop - 5), stop):
            continue
        if boundary.end() <= start:
            begin = boundary.end()
        elif boundary.end() >= end:
            finish = boundary.end()
            break
    return " ".join(text[begin:finish].split())
