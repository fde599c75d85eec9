"""kb check: every quotation of a text checked against the fact base. The command reads the
text, hands it to lookup.checking with the base (whole, or a large one through its derived
index, a lookup a quotation) and writes the rows as they come; stderr gets the marks no
quotation pairs, the nearest quote of a quotation the base does not know, and a summary.
"""

# No ``from __future__ import annotations`` here: Typer reads these signatures on every run,
# and real annotation objects spare it evaluating each string again.
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from karabakh_cli.cli.exits import ExitCode, described
from karabakh_cli.cli.shared import (
    FormatOption,
    HtmlOption,
    JsonOption,
    Output,
    SvgOption,
    command,
    emit,
    facts_path,
    load,
    say,
)
from karabakh_cli.index import loading, location, needs
from karabakh_cli.lookup import checking
from karabakh_cli.lookup.quotations import MarkWarning
from karabakh_cli.model import Person
from karabakh_cli.output.checked import CheckedRows
from karabakh_cli.output.views import Row

_OUTCOME_CODES = {
    "confirmed": ExitCode.FOUND,
    "unconfirmed": ExitCode.NOT_FOUND,
    "wrong": ExitCode.MISQUOTED,
}
# A refused input is shown this much of the quotation it is about, on one line.
_SHOWN = 60


class Unreadable(typer.TyperException):
    """The text cannot be read, or is not text: a usage error, exit 2."""

    exit_code = ExitCode.USAGE


class _Indexed:
    """A large base, as checking.Base: each quotation's candidates and each name's people
    read from its derived index, as kb who-said and kb quote read theirs."""

    def __init__(self, ctx: typer.Context) -> None:
        self.ctx = ctx
        self._named: dict[str, list[Person]] = {}

    def candidates(self, fragment: str) -> list[checking.Candidate]:
        facts = load(self.ctx, needs.ByFragment(fragment))
        return checking.WholeBase(facts).candidates(fragment)

    def named(self, name: str) -> list[Person]:

        if name not in self._named:
            facts = load(self.ctx, needs.ByName(name))
            self._named[name] = checking.WholeBase(facts).named(name)
        return self._named[name]


def _base(ctx: typer.Context) -> checking.Base:
    """The base to check against: from its index when it is large enough to have one (built
    now if missing), else read whole once."""

    path = facts_path(ctx)
    try:
        indexable = location.indexable(path.stat()) and location.location(path) is not None
    except OSError:
        indexable = False
    if indexable:
        load(ctx, needs.ByFragment(""))  # builds the index if it is missing
        if isinstance(loading.describe(path), loading.Description):
            return _Indexed(ctx)
    return checking.WholeBase(load(ctx))


def _read(file: str | None) -> tuple[str, str]:
    """The text to check and what a title calls it: FILE, or standard input for - (or for no FILE
    when standard input is not a terminal)."""

    if file is None and sys.stdin.isatty():
        raise typer.BadParameter("give a FILE, or - to read standard input", param_hint="FILE")
    name = "standard input" if file in (None, "-") else str(file)
    title = "standard input" if file in (None, "-") else Path(str(file)).name
    try:
        if file in (None, "-"):
            data = sys.stdin.buffer.read(checking.MAX_INPUT + 1)
        else:
            with Path(str(file)).open("rb") as handle:
                data = handle.read(checking.MAX_INPUT + 1)
    except OSError as error:
        raise Unreadable(f"cannot read {name}: {error.strerror or error}") from None
    if len(data) > checking.MAX_INPUT:
        most = checking.MAX_INPUT // (1024 * 1024)
        raise Unreadable(f"{name}: more than {most} MiB; kb checks texts up to that size")
    try:
        return checking.decode(data, name), title
    except checking.Unreadable as error:
        raise Unreadable(str(error)) from None


def _shown(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _SHOWN else flat[: _SHOWN - 1] + "…"


def _rows(
    events: Iterator[checking.Event], made: CheckedRows, tally: checking.Tally
) -> Iterator[Row]:
    """The rows of the quotations as they are checked, saying on stderr what a row cannot."""

    for event in events:
        if isinstance(event, MarkWarning):
            say(f"warning: {event.message}: no quotation")
            continue
        tally.add(event)
        where = f"line {event.quotation.line}, column {event.quotation.column}"
        if event.match == "none":
            nearest = event.candidate
            why = event.why_none or (
                f"the closest, NOT a match, scores {nearest.score:.0f}: {nearest.speaker.name}, "
                f"“{_shown(nearest.quote.text)}” ({nearest.quote.id})"
                if nearest
                else "no quote is near it"
            )
            say(f"{where}: “{_shown(event.quotation.text)}” matches no quote; {why}")
        elif event.also:
            say(
                f"{where}: “{_shown(event.quotation.text)}” stands in {len(event.also) + 1} "
                f"quotes; the text credits none of their speakers; also in {', '.join(event.also)}"
            )
        yield made.row(event)


@command(
    "kb check docs/examples/article.md",
    "kb check - --json < docs/examples/article.md",
    exit_codes=described(
        (
            ExitCode.FOUND,
            ExitCode.NOT_FOUND,
            ExitCode.USAGE,
            ExitCode.FACT_BASE,
            ExitCode.MISQUOTED,
            ExitCode.INTERRUPTED,
        ),
        FOUND="every quotation is verbatim and credited to its speaker",
        NOT_FOUND="not every quotation could be confirmed, none is wrong: no quotation, one the "
        "base does not know, or one credited to nobody by name",
        USAGE="usage error, or the input is binary or not UTF-8",
        MISQUOTED="a quotation is altered, or credited to someone other than its speaker",
    ),
)
def check(
    ctx: typer.Context,
    file: Annotated[
        str | None,
        typer.Argument(
            metavar="[FILE|-]",
            help="A plain text or Markdown file; - (or nothing, in a pipe) reads standard input.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
) -> None:
    """Every quotation of a text, checked against the fact base and its speakers.

    For each: the quote it matches (verbatim, altered with the words that differ, or none), and
    whether the text credits that quote's speaker.
    """
    text, name = _read(file)
    base = _base(ctx)
    made, tally = CheckedRows(), checking.Tally()
    rows = _rows(checking.check(text, base), made, tally)
    # No rows is no quotation: the summary says so, and the outcome gives the exit code.
    listing = made.listing(f"Quotations in {name}", rows)
    emit(listing, Output(fmt, json, svg, html), empty_is_nothing_found=False)
    say(tally.summary())
    code = _OUTCOME_CODES[tally.outcome]
    if code != ExitCode.FOUND:
        raise typer.Exit(code)
