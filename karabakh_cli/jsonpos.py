"""Line and column of values in a JSON text, for messages that point into the file.

JSON decoders do not report where a value stood, so this scans the text once more, and only
when there is a problem to point at: a clean fact base never pays for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from karabakh_cli.problems import JsonPath

_TOKEN = re.compile(r'[ \t\r\n]*(?:(")|([{}\[\],:])|([^ \t\r\n{}\[\],:"]+))')
_STRING_REST = re.compile(r'(?:[^"\\]|\\.)*"', re.S)


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return line, column


def line_column_of_byte(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset into UTF-8 data."""
    before = data[:offset].decode("utf-8", errors="replace")
    return line_column(before, len(before))


class _Frame:
    __slots__ = ("expect_key", "is_object", "key")

    def __init__(self, is_object: bool) -> None:
        self.is_object = is_object
        self.key: str | int = -1
        self.expect_key = is_object


def locate(text: str, paths: Iterable[JsonPath]) -> dict[JsonPath, tuple[int, int]]:
    """Map each JSON path that occurs in ``text`` to the line and column where its value starts.

    The text is assumed to be valid JSON; the scan stops once every path is found.
    """
    wanted = set(paths)
    found: dict[JsonPath, tuple[int, int]] = {}
    stack: list[_Frame] = []

    def value_starts(offset: int) -> None:
        if stack and not stack[-1].is_object:
            index = stack[-1].key
            stack[-1].key = index + 1 if isinstance(index, int) else 0
        path = tuple(frame.key for frame in stack)
        if path in wanted:
            found[path] = line_column(text, offset)

    position = 0
    while len(found) < len(wanted):
        token = _TOKEN.match(text, position)
        if token is None:
            break
        position = token.end()
        if token.group(1):
            rest = _STRING_REST.match(text, position)
            if rest is None:
                break
            if stack and stack[-1].is_object and stack[-1].expect_key:
                stack[-1].key = json.loads(text[position - 1 : rest.end()])
                stack[-1].expect_key = False
            else:
                value_starts(token.start(1))
            position = rest.end()
        elif punctuation := token.group(2):
            if punctuation in "{[":
                value_starts(token.start(2))
                stack.append(_Frame(punctuation == "{"))
            elif punctuation in "}]":
                if stack:
                    stack.pop()
            elif punctuation == "," and stack and stack[-1].is_object:
                stack[-1].expect_key = True
        else:
            value_starts(token.start(3))
    return found
