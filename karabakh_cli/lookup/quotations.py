"""The quotations of a text: every stretch between quotation marks, nested ones included, found
in one pass, with a warning (never an exception) for a mark that pairs with nothing.

Double marks (“ ” « » „ ") pair with any double mark and single marks (‘ ’) with single ones,
since sources mix them (“… »). A quotation never runs past a blank line: what is still open
there is reported as never closed. Whom the text credits for a quotation is crediting.py's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal, NamedTuple

import msgspec

DOUBLE_OPENERS = frozenset("“«„")
DOUBLE_CLOSERS = frozenset("”»")
SINGLE_OPENER = "‘"
SINGLE_CLOSER = "’"
STRAIGHT = '"'
# Each mark, or a blank line (which ends every quotation still open).
_EVENT = re.compile(r"[“”«»„\"‘’]|\n[^\S\n]*\n")
# What may stand right before an opening mark and right after a closing one, besides
# whitespace and the ends of the text.
_BEFORE_OPENING = frozenset('([{—–-/:“«„‘"')
_AFTER_CLOSING = frozenset('.,;:!?)]}…—–-”»’"')

Problem = Literal["never closed", "closes nothing", "ambiguous close"]


class Quotation(msgspec.Struct, frozen=True, gc=False):
    """Words between a pair of quotation marks, verbatim as the text writes them."""

    text: str
    """The words between the marks, without them: ``source[start:end]``."""
    start: int
    """Offset of the first character after the opening mark."""
    end: int
    """Offset of the closing mark, just past the quotation's last character."""
    line: int
    """1-based line of the opening mark."""
    column: int
    """1-based column of the opening mark, in characters."""
    depth: int
    """How many quotations enclose this one: 0 for one standing in the text itself."""
    opening: str
    """The opening mark as written."""
    closing: str
    """The closing mark as written (not always the opening one's pair: “… »)."""


class MarkWarning(msgspec.Struct, frozen=True, gc=False):
    """A quotation mark the scanner could not pair, or paired by a guess."""

    mark: str
    offset: int
    line: int
    column: int
    problem: Problem

    @property
    def message(self) -> str:
        return f"line {self.line}, column {self.column}: {self.mark} {self.problem}"


class Found(NamedTuple):
    """``find_quotations``' answer: the quotations in order of their opening marks, and the
    marks it could not pair, in order of the text."""

    quotations: list[Quotation]
    warnings: list[MarkWarning]


def find_quotations(text: str) -> Found:
    """Every quotation of ``text`` and every mark it could not pair."""
    quotations: list[Quotation] = []
    warnings: list[MarkWarning] = []
    for found in iter_quotations(text):
        if isinstance(found, Quotation):
            quotations.append(found)
        else:
            warnings.append(found)
    warnings.sort(key=lambda warning: warning.offset)
    return Found(quotations, warnings)


def iter_quotations(text: str) -> Iterator[Quotation | MarkWarning]:
    """The quotations of ``text`` and its unpaired marks, as they are settled.

    One pass over the marks, with the marks still open on a stack; memory is bounded by the
    marks of one paragraph. Quotations come in order of their opening marks, each batch once
    the outermost quotation holding them closes; warnings as soon as they are known.
    """
    # The open marks, innermost last: offset, line and column, in lists of ints rather than a
    # tuple a mark, so that the garbage collector has no object a mark to walk through.
    stack: list[int] = []
    stack_lines: list[int] = []
    stack_columns: list[int] = []
    doubles = 0
    singles = 0
    # Closed quotations whose outermost enclosing quotation is still open: where each one's
    # text starts and ends, and the line and column of its opening mark.
    starts: list[int] = []
    ends: list[int] = []
    lines: list[int] = []
    columns: list[int] = []
    # ’ after a word-final s, while a ‘ is open on top: a close or a possessive (“the
    # peacekeepers’ leadership”); the next mark decides.
    maybe_closes: list[int] = []
    line, line_start, counted = 1, 0, 0
    size = len(text)

    def place(offset: int) -> tuple[int, int]:
        nonlocal line, line_start, counted
        newlines = text.count("\n", counted, offset)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", counted, offset) + 1
        counted = offset
        return line, offset - line_start + 1

    def push(offset: int) -> None:
        nonlocal doubles, singles
        at_line, column = place(offset)
        stack.append(offset)
        stack_lines.append(at_line)
        stack_columns.append(column)
        if text[offset] == SINGLE_OPENER:
            singles += 1
        else:
            doubles += 1

    def pop(problem: Problem | None = None, closed_at: int = 0) -> Iterator[MarkWarning]:
        """Take the innermost open mark off: closed at ``closed_at``, or a warning."""
        nonlocal doubles, singles
        offset, at_line, column = stack.pop(), stack_lines.pop(), stack_columns.pop()
        if text[offset] == SINGLE_OPENER:
            singles -= 1
        else:
            doubles -= 1
        if problem is not None:
            yield MarkWarning(text[offset], offset, at_line, column, problem)
            return
        starts.append(offset + 1)
        ends.append(closed_at)
        lines.append(at_line)
        columns.append(column)

    def is_double(index: int) -> bool:
        return text[stack[index]] != SINGLE_OPENER

    def flush() -> Iterator[Quotation]:
        # Settled quotations nest, so ordered by start a stack of ends gives each one's depth.
        enclosing: list[int] = []
        for index in sorted(range(len(starts)), key=starts.__getitem__):
            start, end = starts[index], ends[index]
            while enclosing and enclosing[-1] <= start:
                enclosing.pop()
            yield Quotation(
                text[start:end],
                start,
                end,
                lines[index],
                columns[index],
                len(enclosing),
                text[start - 1],
                text[end],
            )
            enclosing.append(end)
        for settled in (starts, ends, lines, columns):
            settled.clear()

    def settle_maybe() -> Iterator[MarkWarning]:
        """Close the ‘ on top at its last possible close, before anything else happens."""
        if len(maybe_closes) > 1:
            at_line, column = place(maybe_closes[-1])
            yield MarkWarning(SINGLE_CLOSER, maybe_closes[-1], at_line, column, "ambiguous close")
        yield from pop(closed_at=maybe_closes[-1])
        maybe_closes.clear()

    def end_paragraph() -> Iterator[Quotation | MarkWarning]:
        if maybe_closes:
            yield from settle_maybe()
        while stack:
            yield from pop("never closed")
        yield from flush()

    for event in _EVENT.finditer(text):
        at = event.start()
        mark = event.group()
        if len(mark) > 1:
            yield from end_paragraph()
            continue
        before = text[at - 1] if at else " "
        after = text[at + 1] if at + 1 < size else " "
        if mark == SINGLE_CLOSER:
            if before.isalnum() and after.isalnum():
                continue  # an apostrophe inside a word: don’t, Azerbaijan’s, l’armée
            if singles == 0 or before.isspace():
                continue  # an apostrophe: the separatists’ forces, the ’90s
            if before in "sS" and after.isspace():
                # A close or a possessive: never taken as a close through an open double.
                if not is_double(-1):
                    maybe_closes.append(at)
                continue
            # A close past the possible ones: they were possessives.
            maybe_closes.clear()
        if maybe_closes:
            yield from settle_maybe()
        if mark in DOUBLE_OPENERS or (
            mark == SINGLE_OPENER and (before.isspace() or before in _BEFORE_OPENING)
        ):
            if not (mark == SINGLE_OPENER and after.isspace()):
                push(at)
            continue
        if mark == SINGLE_OPENER:
            continue  # after a letter: an apostrophe typed with the wrong mark
        if mark == STRAIGHT:
            opens = (before.isspace() or before in _BEFORE_OPENING) and not after.isspace()
            closes = not before.isspace() and (after.isspace() or after in _AFTER_CLOSING)
            if opens and not (closes and doubles):
                push(at)
                continue
        double = mark != SINGLE_CLOSER
        if (doubles if double else singles) == 0:
            at_line, column = place(at)
            yield MarkWarning(mark, at, at_line, column, "closes nothing")
            continue
        # The open marks above the innermost one of the kind were never closed.
        while is_double(-1) != double:
            yield from pop("never closed")
        yield from pop(closed_at=at)
        if not stack:
            yield from flush()
    yield from end_paragraph()
