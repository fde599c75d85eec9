"""Line and column of values in a JSON text, for messages that point into the file.

JSON decoders do not report where a value stood, so this scans the text once more, and only
when there is a problem to point at: a clean fact base never pays for it. Every cost here is
linear in the text, whatever the number of values to place.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterable

from karabakh_cli.base.problems import JsonPath

_TOKEN = re.compile(r'[ \t\r\n]*(?:(")|([{}\[\],:])|([^ \t\r\n{}\[\],:"]+))')
_NEWLINE = re.compile("\n")
# json's own C string scanner, which typeshed does not declare: (text, offset after the
# opening quote) -> (the string's value, offset after its closing quote).
_scan_string: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
# The C scanner skips a whole value no wanted path lies inside, far faster than the token walk.
_SKIP = json.JSONDecoder().raw_decode


class Lines:
    """Where each line of a text starts, found in one pass, for any number of look-ups."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(found.end() for found in _NEWLINE.finditer(text))]

    def line_column(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of one character offset."""
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return line, column


def line_column_of_byte(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset into UTF-8 data."""
    before = data[:offset].decode("utf-8", errors="replace")
    return line_column(before, len(before))


def line_columns_of_bytes(data: bytes, offsets: Iterable[int]) -> dict[int, tuple[int, int]]:
    """1-based line and column (in characters) of each byte offset into UTF-8 data, each
    counted on from the one before it: the data read once, however many offsets."""
    places: dict[int, tuple[int, int]] = {}
    line, column, at = 1, 1, 0
    for offset in sorted(set(offsets)):
        between = data[at:offset]
        newline = between.rfind(b"\n")
        if newline < 0:
            column += len(between.decode("utf-8", errors="replace"))
        else:
            line += between.count(b"\n")
            column = len(between[newline + 1 :].decode("utf-8", errors="replace")) + 1
        places[offset] = (line, column)
        at = offset
    return places


class _Frame:
    __slots__ = ("expect_key", "is_object", "key")

    def __init__(self, is_object: bool) -> None:
        self.is_object = is_object
        self.key: str | int = -1
        self.expect_key = is_object


def line_columns(text: str, paths: Iterable[JsonPath]) -> dict[JsonPath, tuple[int, int]]:
    """Map each JSON path that occurs in ``text`` to the line and column where its value starts.

    The text is assumed to be valid JSON. Values no wanted path lies in are skipped whole,
    and the scan stops once every path is found.
    """
    wanted = set(paths)
    inside = {path[:depth] for path in wanted for depth in range(len(path))}
    offsets: dict[JsonPath, int] = {}
    stack: list[_Frame] = []

    def value_path(offset: int) -> JsonPath:
        if stack and not stack[-1].is_object:
            index = stack[-1].key
            stack[-1].key = index + 1 if isinstance(index, int) else 0
        path = tuple(frame.key for frame in stack)
        if path in wanted:
            offsets[path] = offset
        return path

    position = 0
    while len(offsets) < len(wanted):
        token = _TOKEN.match(text, position)
        if token is None:
            break
        position = token.end()
        if token.group(1):
            try:
                key, position = _scan_string(text, position)
            except ValueError:
                break
            if stack and stack[-1].is_object and stack[-1].expect_key:
                stack[-1].key = key
                stack[-1].expect_key = False
            else:
                value_path(token.start(1))
        elif punctuation := token.group(2):
            if punctuation in "{[":
                if value_path(token.start(2)) not in inside:
                    try:
                        position = _SKIP(text, token.start(2))[1]
                        continue
                    except (ValueError, RecursionError):
                        # Nesting the C scanner cannot take: walk it token by token.
                        pass
                stack.append(_Frame(punctuation == "{"))
            elif punctuation in "}]":
                if stack:
                    stack.pop()
            elif punctuation == "," and stack and stack[-1].is_object:
                stack[-1].expect_key = True
        else:
            value_path(token.start(3))
    lines = Lines(text)
    return {path: lines.line_column(offset) for path, offset in offsets.items()}
