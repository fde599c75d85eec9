"""The kb app: its group, which turns failures into exit codes in one place (KbGroup.main;
the codes are exits.ExitCode), its global options, the options commands share, and the helpers
every command uses to load the fact base, speak to stderr and write a listing.
"""

# No ``from __future__ import annotations`` here: Typer reads these signatures on every run,
# and real annotation objects spare it evaluating each string again.
import functools
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import msgspec
import typer
from typer.core import TyperGroup

from karabakh_cli import __version__
from karabakh_cli.base import factbase
from karabakh_cli.base.problems import FactBaseError
from karabakh_cli.cli import pipes
from karabakh_cli.cli.exits import ExitCode, described
from karabakh_cli.index import loading
from karabakh_cli.lookup import queries
from karabakh_cli.model import (
    DATE_EXAMPLES,
    DATE_FORM,
    PARTIAL_DATE,
    Record,
    RecordKind,
    parse_partial_date,
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


def _use_facts(ctx: typer.Context, param: typer.CallbackParam, value: Path | None) -> None:
    """Keep --facts (or KB_FACTS) in the state, whether it comes before or after the command."""
    if value is None:
        return
    source = ctx.get_parameter_source(param.name or "")
    state = ctx.ensure_object(State)
    state.facts_path = value
    state.facts_origin = "KB_FACTS" if getattr(source, "name", "") == "ENVIRONMENT" else None


def _facts_option(envvar: str | None = None) -> Any:
    """--facts, before the command (where KB_FACTS stands for it) or after it."""
    return typer.Option(
        "--facts",
        envvar=envvar,
        help="Fact base to read instead of the built-in one.",
        callback=_use_facts,
        expose_value=False,
        show_default=False,
    )


# The same option after the command: people type `kb quote Putin --facts mine.json` too. Not
# KB_FACTS there, which would override a --facts given before the command.
FactsOption = Annotated[Path | None, _facts_option()]


class Refused(typer.TyperException):
    """What was given cannot be written; a usage error, so nothing is written and exit 2."""

    exit_code = ExitCode.USAGE


class KbGroup(TyperGroup):
    """Runs a command and turns every failure into one line on stderr and its exit code.

    ``kb add`` is built only when named: its five subcommands, and importing cli_add, would
    cost every lookup a few milliseconds. --help and completion still list it, last.
    """

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), "add"]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name == "add":
            from karabakh_cli.cli import add

            return typer.main.get_group(add.add_app)
        return super().get_command(ctx, cmd_name)

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        kwargs["standalone_mode"] = False
        # Made before parsing, so the fact base's origin is known when it fails to load.
        state = kwargs.setdefault("obj", State())
        with pipes.closed_pipes_end_output():
            code = self._run(state, *args, **kwargs)
        sys.exit(code)

    def _run(self, state: State, *args: Any, **kwargs: Any) -> int:
        try:
            result = super().main(*args, **kwargs)
            code = result if isinstance(result, int) else ExitCode.FOUND
        except FactBaseError as error:
            label = (
                f"{error.file} (from {state.facts_origin})" if state.facts_origin else error.file
            )
            for problem in error.problems[:1]:
                say(problem.as_loader_line(label))
            if error.more_may_follow:
                say(f"more problems may follow; run: kb validate {error.file}")
            elif len(error.problems) > 1:
                say(f"{len(error.problems) - 1} more problem(s); run: kb validate {error.file}")
            code = ExitCode.FACT_BASE
        except typer.TyperException as error:
            context = getattr(error, "ctx", None)
            hint = f" (see '{context.command_path} --help')" if context else ""
            say(f"{error.format_message()}{hint}")
            code = error.exit_code
        except (KeyboardInterrupt, typer.Abort):
            code = ExitCode.INTERRUPTED
        return code


app = typer.Typer(
    cls=KbGroup,
    name="kb",
    help="Who said what, when and where: the September 2023 Nagorno-Karabakh offensive and "
    "ceasefire, from a curated, sourced fact base.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"kb {__version__}\n")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    facts: Annotated[Path | None, _facts_option(envvar="KB_FACTS")] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print kb's version."),
    ] = False,
) -> None:
    """Keep the global options; each command reads the fact base when it needs it."""
    ctx.ensure_object(State)


def facts_path(ctx: typer.Context) -> Path:
    state = ctx.find_object(State)
    return (state.facts_path if state else None) or factbase.builtin_path()


def load(ctx: typer.Context, wanted: loading.Wanted | None = None) -> queries.LoadedBase:
    """The fact base, or (from its derived index, for a lookup that says what it wants) the
    part of it the lookup needs."""
    loaded = loading.load(facts_path(ctx), wanted, say, render.progress)
    # The base lives as long as the process: moved out of the collector's sight, its hundreds
    # of thousands of objects are not rescanned each time a lookup allocates.
    gc.freeze()
    return loaded


def help_examples(*commands: str, exit_codes: str = "") -> str:
    """The help's closing lines: the command's exit codes (from exits.described) when they
    differ from kb's, then real commands to copy, last so that they are easy to find."""
    examples = "Examples:\n\n" + "\n\n".join(f"  $ {command}" for command in commands)
    return f"{exit_codes}\n\n{examples}" if exit_codes else examples


def check_date(param: typer.CallbackParam, value: str | None) -> str | None:
    """Refuse a malformed or impossible date (--since, --until, --date) as a usage error that
    shows the expected form or names the month or day that does not exist."""
    if value is not None:
        try:
            parse_partial_date(value)
        except ValueError as error:
            # A date of the right form names the month or day that does not exist.
            message = (
                str(error)
                if PARTIAL_DATE.fullmatch(value)
                else f"expected {DATE_FORM}, e.g. {DATE_EXAMPLES}; got {value!r}"
            )
            raise typer.BadParameter(message, param_hint=f"'{param.opts[0]}'") from None
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
    return queries.name_completions(facts, list(typed), incomplete)


def complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        facts = load(ctx)
    except FactBaseError:
        return []
    return queries.id_completions(facts, incomplete)


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
    problem = render.check_writable(path) if path else None
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
        help="table, plain, json, jsonl, csv or markdown [default: table on a terminal, plain in a pipe]",
        show_default=False,
    ),
]

ListingCommand = Callable[..., views.Listing]


def listing_command(
    *examples: str, name: str | None = None, exit_codes: str = ""
) -> Callable[[ListingCommand], ListingCommand]:
    """Register a command that returns a listing, and write the listing with ``emit``, so every
    listing command keeps the same output contract.

    The command declares the shared output options in its own signature (``fmt: FormatOption``,
    ``json: JsonOption``, ``svg: SvgOption``, ``html: HtmlOption``, then ``FactsOption``); they
    are read here, as sqlite-utils' output_options are, and the command never needs them.
    """

    def register(command: ListingCommand) -> ListingCommand:
        @functools.wraps(command)
        def run(**arguments: Any) -> None:
            listing = command(**arguments)
            emit(listing, arguments["fmt"], arguments["json"], arguments["svg"], arguments["html"])

        app.command(name, epilog=help_examples(*examples, exit_codes=exit_codes))(run)
        return command

    return register


def emit(
    listing: views.Listing,
    fmt: Format | None,
    json_flag: bool,
    svg: Path | None,
    html: Path | None,
    *,
    empty_is_nothing_found: bool = True,
) -> None:
    """Write a listing to stdout in the chosen format, and its pictures; exit 1 if it is empty
    (unless ``empty_is_nothing_found`` is false: for kb diff, no rows is the good news)."""
    pictures = {"--svg": (svg, render.save_svg), "--html": (html, render.save_html)}
    chosen = render.choose_format(fmt, json_flag, sys.stdout.isatty())
    if svg or html:
        listing = listing.held()  # written twice: to stdout and into the picture
    found = render.write(listing, chosen, sys.stdout)
    for option, (path, save) in pictures.items():
        if path and found:
            try:
                save(listing, path)
            except OSError as error:
                raise typer.BadParameter(
                    f"cannot save {path}: {error.strerror}", param_hint=f"'{option}'"
                ) from None
    if not found and empty_is_nothing_found:
        raise typer.Exit(ExitCode.NOT_FOUND)


def filters_of(since: str | None, until: str | None, place: str | None = None) -> queries.Filters:
    """The filters of --since, --until and --place, whose dates check_date has checked; a
    range queries.Filters refuses is a usage error."""
    try:
        return queries.Filters.of(since, until, place)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="'--since' / '--until'") from None


def record_shown(facts: queries.LoadedBase, kind: RecordKind, record: Record) -> views.Listing:
    """One record as kb show lists it, saying why its context is missing if it is."""
    passage, why_none = queries.passage(facts, record)
    if why_none:
        say(why_none)
    return views.show_listing(facts, kind, record, passage)
