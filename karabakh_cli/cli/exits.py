"""kb's exit codes: the contract with scripts, in one place. ``kb --help`` is derived from it
and tests/cli/test_exits.py holds the README to it."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """How a kb run ended."""

    FOUND = 0
    NOT_FOUND = 1
    USAGE = 2
    FACT_BASE = 3
    MISQUOTED = 4
    INTERRUPTED = 130

    @property
    def meaning(self) -> str:
        """What the code tells a script, as ``kb --help`` says it."""
        return _MEANINGS[self]


_MEANINGS = {
    ExitCode.FOUND: "found",
    ExitCode.NOT_FOUND: "nothing found (or kb validate found errors, kb diff found "
    "differences, kb fmt --check found a file to reformat)",
    ExitCode.USAGE: "usage error, or a write refused",
    ExitCode.FACT_BASE: "the fact base cannot be read or is invalid, or a file or the output "
    "cannot be written",
    ExitCode.MISQUOTED: "kb check: a quotation is altered, or credited to someone other than "
    "its speaker",
    ExitCode.INTERRUPTED: "interrupted",
}


def described(codes: tuple[ExitCode, ...] = tuple(ExitCode), **meanings: str) -> str:
    """``Exit codes: 0 found; ...`` for a help epilog; ``meanings`` rewords codes by name for
    a command that gives them a narrower sense."""
    parts = [f"{code.value} {meanings.get(code.name, code.meaning)}" for code in codes]
    return f"Exit codes: {'; '.join(parts)}."
