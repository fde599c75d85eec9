"""What is wrong with a fact base, and where: the problems the loader and validator report."""

from __future__ import annotations

import re
from typing import Literal

import msgspec

JsonPath = tuple[str | int, ...]
Severity = Literal["error", "warning"]

_BYTE_OFFSET = re.compile(r"\(byte (\d+)\)$")


def syntax_error(error: Exception) -> tuple[str, int | None]:
    """msgspec's message for malformed JSON without its jargon, and the byte offset it names
    (None where it names none)."""
    message = str(error)
    offset = _BYTE_OFFSET.search(message)
    described = _BYTE_OFFSET.sub("", message).replace("JSON is malformed: ", "").strip()
    return described, int(offset.group(1)) if offset else None


class Problem(msgspec.Struct, frozen=True):
    """One thing wrong with a fact base.

    ``path`` is the JSON path of the value at fault, used to find its line and column;
    ``record`` names the record (``quotes[3]``) and ``field`` the field within it.
    """

    message: str
    path: JsonPath = ()
    record: str = ""
    record_id: str | None = None
    field: str = ""
    severity: Severity = "error"
    line: int | None = None
    column: int | None = None

    def where(self, *, with_index: bool) -> str:
        """``quotes[3] (q-x).date`` with the index, ``q-x.date`` without it."""
        if self.record_id and with_index:
            name = f"{self.record} ({self.record_id})"
        else:
            name = self.record_id or self.record
        return ".".join(part for part in (name, self.field) if part)

    def as_loader_line(self, file: str) -> str:
        """``facts.json: quotes[3] (q-x).date: what``, the form commands print."""
        where = self.where(with_index=True)
        position = f":{self.line}:{self.column}" if self.line and not where else ""
        return f"{file}{position}: {where + ': ' if where else ''}{self.message}"

    def as_validate_line(self, file: str) -> str:
        """``facts.json:57:15: q-x.date: what``, the form ``kb validate`` prints."""
        position = f":{self.line}:{self.column}" if self.line else ""
        where = self.where(with_index=False)
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{file}{position}: {prefix}{where + ': ' if where else ''}{self.message}"


def summary(file: str, problems: list[Problem]) -> str:
    """kb validate's closing line: how many errors and warnings ``file`` has, if any."""
    if not problems:
        return f"{file}: no problems"
    errors = sum(problem.severity == "error" for problem in problems)
    return f"{file}: {errors} error(s), {len(problems) - errors} warning(s)"


class FactBaseError(Exception):
    """The fact base cannot be read or is invalid; carries the problems found.

    ``more_may_follow`` says the search stopped at the first problem: there may be others
    that only ``kb validate`` lists.
    """

    def __init__(
        self, file: str, problems: list[Problem], *, more_may_follow: bool = False
    ) -> None:
        self.file = file
        self.problems = problems
        self.more_may_follow = more_may_follow
        super().__init__(problems[0].as_loader_line(file) if problems else file)
