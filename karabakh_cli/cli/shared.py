"""The kb app: its group, which turns failures into exit codes in one place (KbGroup.main;
the codes are exits.ExitCode), its global options, the options commands share, and the helpers
every command uses to load the fact base, speak to stderr and write a listing.
"""

# No ``from __future__ import annotations`` here: Typer reads these signatures on every run,
# and real annotation objects spare it evaluating each string again.
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NamedTuple, NoReturn

import msgspec
import typer
from typer.core import TyperGroup

from karabakh_cli.base import factbase
from karabakh_cli.base.problems import FactBaseError
from karabakh_cli.cli.exits import ExitCode, described
from karabakh_cli.index import loading, needs
from karabakh_cli.lookup import finding, loaded
from karabakh_cli.model import (
    DATE_EXAMPLES,
    Record,
    RecordKind,
    date_problem,
)
from karabakh_cli.output import render, views
from karabakh_cli.output.render import Format
from karabakh_cli.text import visible, wrap_message

# A usage error's 2 is Typer's own (UsageError.exit_code), ExitCode.USAGE.
# kb search shows the best hits first and this many unless told otherwise, as search tools do.
SEARCH_LIMIT = 50

EXIT_CODES = described()


def say(message: str) -> None:
    """A message for the person at the terminal: stderr, never mixed into the data.

    Messages quote names, fields and ids from the input, so control characters are shown,
    never sent to the terminal. On a terminal a long message wraps between words, never
    mid-word; into a pipe or a file it stays one line, for grep.
    """
    line = f"kb: {visible(message)}"
    width = terminal_width(sys.stderr)
    sys.stderr.write(f"{wrap_message(line, width) if width else line}\n")


def terminal_width(stream: Any) -> int | None:
    """The width of the terminal ``stream`` writes to (COLUMNS wins, as for tables), or None
    when it is not a terminal."""
    try:
        if not stream.isatty():
            return None
        columns = os.environ.get("COLUMNS", "")
        return (
            int(columns)
            if columns.isdigit() and int(columns) > 0
            else os.get_terminal_size(stream.fileno()).columns
        )
    except (AttributeError, OSError, ValueError):
        return None


class State(msgspec.Struct):
    """What the options before and after the command say about the fact base."""

    facts_path: Path | None = None
    # "KB_FACTS" when facts_path came from it: a message about the file then says so, since
    # the person may not remember setting it.
    facts_origin: str | None = None


class UsageRefusal(typer.TyperException):
    """What was given cannot be written; a usage error, so nothing is written and exit 2."""

    exit_code = ExitCode.USAGE


def base_file(path: Path) -> Path:
    """The fact base file a path names: a folder stands for the facts.json in it, as kb init
    makes it (``kb init my-base``, then ``kb --facts my-base ...``)."""
    return path / "facts.json" if path.is_dir() else path


def facts_path(ctx: typer.Context) -> Path:
    state = ctx.find_object(State)
    named = state.facts_path if state else None
    return base_file(named) if named else factbase.builtin_path()


def written_path(ctx: typer.Context) -> Path:
    """The fact base a write goes to: one named by --facts or KB_FACTS, never the built-in one."""
    from karabakh_cli.curate import adding

    state = ctx.find_object(State)
    named = state.facts_path if state else None
    try:
        return adding.write_target(base_file(named) if named else None)
    except adding.Refused as refused:
        raise UsageRefusal(str(refused)) from None


def load(ctx: typer.Context, wanted: needs.Wanted | None = None) -> loaded.LoadedBase:
    """The fact base, or (from its derived index, for a lookup that says what it wants) the
    part of it the lookup needs."""
    base = loading.load(facts_path(ctx), wanted, say, render.progress)
    # The base lives as long as the process: moved out of the collector's sight, its hundreds
    # of thousands of objects are not rescanned each time a lookup allocates.
    gc.freeze()
    return base


def help_examples(*commands: str, exit_codes: str = "") -> str:
    """The help's closing lines: the command's exit codes (from exits.described) when they
    differ from kb's, then real commands to copy, last so that they are easy to find."""
    examples = "Examples:\n\n" + "\n\n".join(f"  $ {command}" for command in commands)
    return f"{exit_codes}\n\n{examples}" if exit_codes else examples


def check_date(param: typer.CallbackParam, value: str | None) -> str | None:
    """Refuse a malformed or impossible date (--since, --until, --date) as a usage error that
    shows the expected form or names the month or day that does not exist."""
    problem = date_problem(value) if value is not None else None
    if problem:
        raise typer.BadParameter(problem, param_hint=f"'{param.opts[0]}'")
    return value


def non_empty(words: list[str]) -> list[str]:
    if not " ".join(words).strip():
        raise typer.BadParameter("must not be empty")
    return words


def phrase(words: list[str]) -> str:
    """The words of a name, phrase or fragment as typed, quoted or not: `kb quote Vladimir Putin`."""
    return " ".join(words)


def complete_speakers(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        facts = load(ctx)
    except FactBaseError:
        return []
    typed = ctx.params.get("words") or []
    return finding.name_completions(facts, list(typed), incomplete)


def complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        facts = load(ctx)
    except FactBaseError:
        return []
    return finding.id_completions(facts, incomplete)


def _date_option(flag: str, meaning: str) -> Any:
    """A --since or --until option: a partial date, checked as it is parsed."""
    return typer.Option(
        flag, callback=check_date, help=f"{meaning}: {DATE_EXAMPLES}.", show_default=False
    )


SinceOption = Annotated[str | None, _date_option("--since", "Only from this date on")]
UntilOption = Annotated[str | None, _date_option("--until", "Only up to this date")]
PlaceOption = Annotated[
    str | None,
    typer.Option(
        "--place", help="Only where the place matches this (fuzzily).", show_default=False
    ),
]


def _writable(param: typer.CallbackParam, path: Path | None) -> Path | None:
    """Refuse a picture path that cannot be written while parsing, before any output."""
    try:
        problem = render.check_writable(path) if path else None
    except OSError as error:  # a name too long for the file system, say
        problem = error.strerror or str(error)
    if problem:
        raise typer.BadParameter(f"cannot save {path}: {problem}", param_hint=f"'{param.opts[0]}'")
    return path


SvgOption = Annotated[
    Path | None,
    typer.Option(
        "--svg",
        help="Also save the table view as an SVG picture (100 columns, no web fonts).",
        dir_okay=False,
        callback=_writable,
        show_default=False,
    ),
]
HtmlOption = Annotated[
    Path | None,
    typer.Option(
        "--html",
        help="Also save the results as a self-contained web page (an HTML table).",
        dir_okay=False,
        callback=_writable,
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="table, plain, json, jsonl, csv or markdown (default: table on a terminal, plain in "
        "a pipe).",
        show_default=False,
    ),
]


def help_text(function: Callable[..., Any]) -> str:
    """A command's docstring as its help: paragraphs kept, the line breaks of the source code
    inside them removed (Typer prints those as they stand, mid-sentence)."""
    import inspect

    paragraphs = inspect.cleandoc(function.__doc__ or "").split("\n\n")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


class Group(TyperGroup):
    """A group of commands as people type them: bare, it shows its help and exits 0; a command
    typed as two words (`who said`) is suggested whole, never run."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            # Typer raises an error with no message here: help, an empty error line, exit 2.
            _print_help(ctx)
        return list(super().parse_args(ctx, args))

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name, rest = (args[0], args[1:]) if args else ("", [])
        if name and self.get_command(ctx, name) is None and rest:
            joined = f"{name}-{rest[0]}"
            if self.get_command(ctx, joined) is not None:
                typed = " ".join([ctx.command_path, joined, *rest[1:]])
                raise UsageRefusal(f"no command {name!r}; did you mean: {typed}")
        return super().resolve_command(ctx, args)


def _print_help(ctx: Any) -> NoReturn:
    """Print the help of ``ctx``'s command and end the run with exit 0."""
    shown = ctx.get_help()  # Rich prints it itself and returns nothing
    if shown:
        typer.echo(shown)
    raise typer.Exit(0)


class Command(NamedTuple):
    """A command as app.py registers it: the function Typer calls, its name on the command
    line (None: the function's, with dashes), its help's closing lines, and whether it reads a
    fact base (then it takes --facts after its name too)."""

    function: Callable[..., None]
    name: str | None
    epilog: str
    reads_facts: bool
    help: str
    """The docstring as help, without the source code's line breaks (help_text)."""


def command(
    *examples: str, name: str | None = None, exit_codes: str = "", reads_facts: bool = True
) -> Callable[[Callable[..., None]], Command]:
    """A command of kb's, with real examples to end its help; app.py registers it."""

    def described(function: Callable[..., None]) -> Command:
        epilog = help_examples(*examples, exit_codes=exit_codes)
        return Command(function, name, epilog, reads_facts, help_text(function))

    return described


class Output(NamedTuple):
    """How a listing is written: the shared output options as one value, so a command hands
    them on whole and a renamed option is a type error, not a missing key."""

    fmt: Format | None = None
    json: bool = False
    svg: Path | None = None
    html: Path | None = None


def emit(
    listing: views.Listing,
    output: Output,
    *,
    empty_is_nothing_found: bool = True,
    nothing: str | None = None,
) -> None:
    """Write a listing to stdout in the chosen format, and its pictures; exit 1 if it is empty
    (unless ``empty_is_nothing_found`` is false: for kb diff, no rows is the good news), saying
    ``nothing`` on stderr then: an empty listing never ends in silence."""
    svg, html = output.svg, output.html
    pictures = {"--svg": (svg, render.save_svg), "--html": (html, render.save_html)}
    chosen = render.choose_format(output.fmt, output.json, sys.stdout.isatty())
    if svg or html:
        listing = listing.held()  # written twice: to stdout and into the picture
    found = render.write(listing, chosen, sys.stdout, page=True)
    for option, (path, save) in pictures.items():
        if path and found:
            try:
                save(listing, path)
            except OSError as error:
                raise typer.BadParameter(
                    f"cannot save {path}: {error.strerror}", param_hint=f"'{option}'"
                ) from None
    if not found and nothing:
        say(nothing)
    if not found and empty_is_nothing_found:
        raise typer.Exit(ExitCode.NOT_FOUND)


def filters_of(since: str | None, until: str | None, place: str | None = None) -> loaded.Filters:
    """The filters of --since, --until and --place, whose dates check_date has checked; a
    range loaded.Filters refuses is a usage error."""
    try:
        return loaded.Filters.of(since, until, place)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="'--since' / '--until'") from None


def record_shown(facts: loaded.LoadedBase, kind: RecordKind, record: Record) -> views.Listing:
    """One record as kb show lists it, saying why its context is missing if it is."""
    passage, why_none = finding.passage(facts, record)
    if why_none:
        say(why_none)
    return views.show_listing(facts, kind, record, passage)
