"""A text's quotations as kb add quotes reads them: the walk of kb check (checking.walk), with
a quotation that the news convention runs on over paragraph breaks joined into one. The
convention leaves the closing mark off a paragraph the quotation continues after, and opens the
next paragraph with a mark again. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from karabakh_cli.lookup import checking, crediting
from karabakh_cli.lookup.crediting import Credit, Uncredited
from karabakh_cli.lookup.quotations import MarkWarning, find_quotations

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


class Found(NamedTuple):
    """A quotation as the walk found it, perhaps joined over paragraph breaks."""

    start: int
    end: int
    outer: tuple[int, int]
    """The outermost quotation holding it (itself at depth 0), marks included."""
    credit: Credit
    origin: int
    """Where the credit's offsets count from, in the whole text."""
    line: int
    column: int
    continued: bool = False


def joined(walked: Iterator[checking.Walked | MarkWarning], text: str) -> Iterator[Found]:
    """The walk's quotations, a quotation that runs on over a paragraph break joined into
    one: the news convention leaves the closing mark off a paragraph the quotation continues
    after, and opens the next paragraph with a mark again."""
    open_at: MarkWarning | None = None
    opened: Found | None = None
    outer: tuple[int, int] = (0, 0)
    for item in walked:
        if isinstance(item, MarkWarning):
            if item.problem == "never closed" and item.mark in '“«„"':
                if opened is not None and _opens_paragraph(text, item.offset):
                    continue  # the joined quotation runs on into one more paragraph
                open_at, opened = item, None
            continue
        quotation, credit = item.quotation, item.credit
        if open_at is not None and opened is None:
            opened = _opened(text, open_at)
        if opened is not None and quotation.depth == 0:
            if _opens_paragraph(text, quotation.start - 1):
                yield opened._replace(
                    end=quotation.end, outer=(opened.outer[0], quotation.end + 1), continued=True
                )
                open_at = opened = None
                continue
            yield opened
            open_at = opened = None
        if quotation.depth == 0:
            outer = (quotation.start - 1, quotation.end + 1)
        yield Found(
            quotation.start,
            quotation.end,
            outer,
            credit,
            item.origin,
            quotation.line,
            quotation.column,
        )
    if opened is not None:
        yield opened


def _opens_paragraph(text: str, mark: int) -> bool:
    """Whether the quotation mark at ``mark`` is the first thing of its paragraph."""
    before = text[:mark].rstrip(" \t")
    return before.endswith("\n\n") or bool(re.search(r"\n[^\S\n]*\n[^\S\n]*$", text[:mark]))


def _opened(text: str, mark: MarkWarning) -> Found:
    """The quotation a mark never closed opens, to the end of its paragraph, credited as if
    the paragraph closed it."""
    blank = _BLANK_LINE.search(text, mark.offset)
    end = blank.start() if blank else len(text)
    end = len(text[:end].rstrip())
    begin = text.rfind("\n\n", 0, mark.offset)
    begin = 0 if begin < 0 else begin + 2
    paragraph = text[begin:end] + "”"
    quotation = next(
        (q for q in find_quotations(paragraph).quotations if q.start == mark.offset - begin + 1),
        None,
    )
    credit: Credit = (
        crediting.credited(paragraph, quotation)
        if quotation is not None
        else Uncredited("no attribution")
    )
    return Found(mark.offset + 1, end, (mark.offset, end), credit, begin, mark.line, mark.column)
