"""The kb command line: each command parses, calls the core, and hands the result to render.

Failures become exit codes in one place (KbGroup.main); the codes are exits.ExitCode.
"""

# No ``from __future__ import annotations`` here: Typer reads these signatures on every run,
# and real annotation objects spare it evaluating each string again.
import enum
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import msgspec
import typer
from typer.core import TyperGroup

from karabakh_cli import __version__, factbase, pipes, queries, render, views
from karabakh_cli.exits import ExitCode, described
from karabakh_cli.model import (
    PARTIAL_DATE_FORM,
    SEARCHED_KINDS,
    Citable,
    Record,
    RecordKind,
    parse_partial_date,
)
from karabakh_cli.problems import FactBaseError, Problem
from karabakh_cli.render import Format
from karabakh_cli.text import visible, wrap_message

if TYPE_CHECKING:
    from karabakh_cli import adding

# A usage error's 2 is Typer's own (UsageError.exit_code), ExitCode.USAGE.
FOUND, NOT_FOUND = ExitCode.FOUND, ExitCode.NOT_FOUND
# kb search shows the best hits first and this many unless told otherwise, as search tools do.
SEARCH_LIMIT = 50

EXIT_CODES = described()


def _say(message: str) -> None:
    """A message for the person at the terminal: stderr, never mixed into the data.

    Messages quote names, fields and ids from the input, so control characters are shown,
    never sent to the terminal. On a terminal a long message wraps between words, never
    mid-word; into a pipe or a file it stays one line, for grep.
    """
    line = f"kb: {visible(message)}"
    width = _terminal_width(sys.stderr)
    sys.stderr.write(f"{wrap_message(line, width) if width else line}\n")


def _terminal_width(stream: Any) -> int | None:
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


FACTS_HELP = "Fact base to read instead of the built-in one."
# The same option after the command: people type `kb quote Putin --facts mine.json` too.
FactsOption = Annotated[
    Path | None,
    typer.Option(
        "--facts",
        help=FACTS_HELP,
        callback=_use_facts,
        expose_value=False,
        show_default=False,
    ),
]


class KbGroup(TyperGroup):
    """Runs a command and turns every failure into one line on stderr and its exit code."""

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
            code = result if isinstance(result, int) else FOUND
        except FactBaseError as error:
            label = (
                f"{error.file} (from {state.facts_origin})" if state.facts_origin else error.file
            )
            for problem in error.problems[:1]:
                _say(problem.as_loader_line(label))
            if error.more_may_follow:
                _say(f"more problems may follow; run: kb validate {error.file}")
            elif len(error.problems) > 1:
                _say(f"{len(error.problems) - 1} more problem(s); run: kb validate {error.file}")
            code = ExitCode.FACT_BASE
        except typer.TyperException as error:
            context = getattr(error, "ctx", None)
            hint = f" (see '{context.command_path} --help')" if context else ""
            _say(f"{error.format_message()}{hint}")
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
    facts: Annotated[
        Path | None,
        typer.Option(
            "--facts",
            envvar="KB_FACTS",
            help=FACTS_HELP,
            callback=_use_facts,
            expose_value=False,
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print kb's version."),
    ] = False,
) -> None:
    """Keep the global options; each command reads the fact base when it needs it."""
    ctx.ensure_object(State)


def _facts_path(ctx: typer.Context) -> Path:
    state = ctx.find_object(State)
    return (state.facts_path if state else None) or factbase.builtin_path()


def _load(ctx: typer.Context) -> queries.Facts:
    return factbase.open_for_lookups(_facts_path(ctx))


def _examples(*commands: str) -> str:
    """The help's closing lines: real commands to copy."""
    return "Examples:\n\n" + "\n\n".join(f"  $ {command}" for command in commands)


def _check_date(param: typer.CallbackParam, value: str | None) -> str | None:
    """Refuse a malformed --since or --until as a usage error that shows the expected form."""
    if value is not None:
        try:
            parse_partial_date(value)
        except ValueError:
            form = PARTIAL_DATE_FORM.split(" with")[0]
            message = f"expected {form}, e.g. 2023 or 2023-09-20; got {value!r}"
            raise typer.BadParameter(message, param_hint=f"'{param.opts[0]}'") from None
    return value


def _non_empty(words: list[str]) -> list[str]:
    if not " ".join(words).strip():
        raise typer.BadParameter("must not be empty")
    return words


def _phrase(words: list[str]) -> str:
    """The words of a name, phrase or fragment as typed, quoted or not: `kb quote Vladimir Putin`."""
    return " ".join(words)


def _complete_speakers(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        facts = _load(ctx)
    except FactBaseError:
        return []
    typed = ctx.params.get("words") or []
    return queries.name_completions(facts, list(typed), incomplete)


def _complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        facts = _load(ctx)
    except FactBaseError:
        return []
    # Ids ignore case as lookups do; each candidate starts with the very characters typed,
    # since the shells keep only candidates that do, and runs as inserted.
    typed = incomplete.lower()
    return [
        incomplete + record_id[len(typed) :]
        for record_id in facts.records
        if record_id.startswith(typed) and len(typed) == len(incomplete)
    ]


SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since",
        callback=_check_date,
        help="Only from this date on: 2023, 2023-09 or 2023-09-20.",
        show_default=False,
    ),
]
UntilOption = Annotated[
    str | None,
    typer.Option(
        "--until",
        callback=_check_date,
        help="Only up to this date: 2023, 2023-09 or 2023-09-20.",
        show_default=False,
    ),
]
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
    *examples: str, name: str | None = None
) -> Callable[[ListingCommand], ListingCommand]:
    """Register a command that returns a listing, and write the listing with ``_emit``, so every
    listing command keeps the same output contract.

    The command declares the shared output options in its own signature (``fmt: FormatOption``,
    ``json: JsonOption``, ``svg: SvgOption``, ``html: HtmlOption``, then ``FactsOption``); they
    are read here, as sqlite-utils' output_options are, and the command never needs them.
    """

    def register(command: ListingCommand) -> ListingCommand:
        @functools.wraps(command)
        def run(**arguments: Any) -> None:
            listing = command(**arguments)
            _emit(listing, arguments["fmt"], arguments["json"], arguments["svg"], arguments["html"])

        app.command(name, epilog=_examples(*examples))(run)
        return command

    return register


def _emit(
    listing: views.Listing, fmt: Format | None, json_flag: bool, svg: Path | None, html: Path | None
) -> None:
    """Write a listing to stdout in the chosen format, and its pictures; exit 1 if it is empty."""
    pictures = {"--svg": (svg, render.save_svg), "--html": (html, render.save_html)}
    chosen = render.choose_format(fmt, json_flag, sys.stdout.isatty())
    render.write(listing, chosen, sys.stdout)
    for option, (path, save) in pictures.items():
        if path and listing.rows:
            try:
                save(listing, path)
            except OSError as error:
                raise typer.BadParameter(
                    f"cannot save {path}: {error.strerror}", param_hint=f"'{option}'"
                ) from None
    if not listing.rows:
        raise typer.Exit(NOT_FOUND)


def _filters(since: str | None, until: str | None, place: str | None = None) -> queries.Filters:
    """The filters of --since, --until and --place, whose dates _check_date has checked.

    A range no date can fall in is a usage error: silently answering it would look like the
    base holding nothing there, or, with partial dates, like a match.
    """
    first = parse_partial_date(since) if since else None
    last = parse_partial_date(until) if until else None
    if first and last and first.covers_start() > last.covers_end():
        raise typer.BadParameter(
            f"{since} is after {until}, so no date is in that range",
            param_hint="'--since' / '--until'",
        )
    return queries.Filters(first, last, place)


@listing_command(
    "kb quote Putin", "kb quote Vladimir Putin --since 2023-09", "kb quote aliev --json"
)
def quote(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="NAME...",
            help="Speaker's name, any spelling: surname, first name, typos; no quotes needed.",
            callback=_non_empty,
            autocompletion=_complete_speakers,
            show_default=False,
        ),
    ],
    since: SinceOption = None,
    until: UntilOption = None,
    place: PlaceOption = None,
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
    facts_option: FactsOption = None,  # read by its callback, into the state
) -> views.Listing:
    """A speaker's quotes, in date order."""
    name = _phrase(words)
    filters = _filters(since, until, place)
    facts = _load(ctx)
    found = queries.quotes_by(facts, name, filters)
    for note in found.notes(name, filtered=bool(since or until or place)):
        _say(note)
    return views.quotes_listing(facts, found.title, found.quotes)


@listing_command("kb terms", "kb terms --format markdown")
def terms(
    ctx: typer.Context,
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
    facts_option: FactsOption = None,  # read by its callback, into the state
) -> views.Listing:
    """The ceasefire's terms, numbered in the document's order, with their source."""
    return views.terms_listing(_load(ctx))


@listing_command("kb timeline", "kb timeline --since 2023-09-20 --json")
def timeline(
    ctx: typer.Context,
    since: SinceOption = None,
    until: UntilOption = None,
    place: PlaceOption = None,
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
    facts_option: FactsOption = None,  # read by its callback, into the state
) -> views.Listing:
    """What happened, in date order; a year or month comes before the days within it."""
    filters = _filters(since, until, place)
    facts = _load(ctx)
    events = queries.timeline(facts, filters)
    if not events:
        _say("no events match these filters")
    return views.timeline_listing(facts, events)


class Kind(str, enum.Enum):
    """The kinds kb search looks in: model.SEARCHED_KINDS, spelled out for Typer and mypy
    (tests/test_kinds.py checks that the two agree)."""

    quote = "quote"
    term = "term"
    event = "event"
    person = "person"


@listing_command("kb search peacekeepers", "kb search Yevlakh talks --kind event --json")
def search(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="WORDS...",
            help="Words to look for, in any order; typos are forgiven; no quotes needed.",
            callback=_non_empty,
            show_default=False,
        ),
    ],
    kind: Annotated[
        list[Kind] | None,
        typer.Option(
            "--kind", "-k", help="Only records of this kind (repeatable).", show_default=False
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0, help="At most this many hits; 0 for all.")
    ] = SEARCH_LIMIT,
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
    facts_option: FactsOption = None,  # read by its callback, into the state
) -> views.Listing:
    """Search quotes, terms, events and people, best match first."""
    text = _phrase(words)
    filters = _filters(since, until)
    facts = _load(ctx)
    kinds: list[RecordKind] = [k.value for k in kind] if kind else list(SEARCHED_KINDS)
    hits, total = queries.search(facts, text, kinds, filters, limit or None)
    if not hits:
        _say(f"nothing in the fact base matches {text!r}")
    elif total > len(hits):
        _say(f"showing the best {len(hits)} of {total} hits; --limit 0 shows all")
    return views.search_listing(facts, text, hits)


@listing_command(
    "kb who-said the Russians will not participate",
    "kb who-said no celebration --json",
    name="who-said",
)
def who_said(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="FRAGMENT...",
            help="A half-remembered or paraphrased piece of a quote; no quotes needed.",
            callback=_non_empty,
            show_default=False,
        ),
    ],
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
    facts_option: FactsOption = None,  # read by its callback, into the state
) -> views.Listing:
    """Which quote a fragment most likely comes from, best first, scored 0-100.

    Refuses (exit 1) when no quote scores at least 75 rather than guess; then shows the closest, saying it is not a match.
    """
    fragment = _phrase(words)
    facts = _load(ctx)
    attribution = queries.attribute(facts, fragment, _filters(since, until))
    refusal = queries.refusal(facts, fragment, attribution)
    if refusal:
        _say(refusal)
    return views.who_said_listing(facts, fragment, attribution.found)


@listing_command("kb people", "kb people --format csv")
def people(
    ctx: typer.Context,
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
    facts_option: FactsOption = None,  # read by its callback, into the state
) -> views.Listing:
    """Everyone in the fact base, with how many quotes, terms and events involve them."""
    return views.people_listing(_load(ctx))


@listing_command("kb show q-putin-mediation", "kb show e-ceasefire-signed --json")
def show(
    ctx: typer.Context,
    record_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="A record id, as other commands print it.",
            autocompletion=_complete_ids,
        ),
    ],
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
    facts_option: FactsOption = None,  # read by its callback, into the state
) -> views.Listing:
    """One record in full, with its source, and the quote marked in the sentences around it
    in the source's archived text (or in its excerpt, where there is no archive)."""
    facts = _load(ctx)
    found = queries.find_record(facts, record_id)
    if found is None:
        _say(queries.missing_id_note(facts, record_id))
        return views.Listing("", [], [])
    return _record_shown(facts, *found)


def _record_shown(facts: queries.Facts, kind: RecordKind, record: Record) -> views.Listing:
    """One record as kb show lists it, saying why its context is missing if it is."""
    passage, why_none = queries.passage(facts, record)
    if why_none:
        _say(why_none)
    return views.show_listing(facts, kind, record, passage)


@listing_command("kb sources", "kb --facts my-facts.json sources --json")
def sources(
    ctx: typer.Context,
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
    facts_option: FactsOption = None,  # read by its callback, into the state
) -> views.Listing:
    """The sources, what each contributes, and (in the title) which fact base file is in use."""
    facts = _load(ctx)
    return views.sources_listing(facts)


@listing_command("kb disputes", "kb disputes --json")
def disputes(
    ctx: typer.Context,
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
    facts_option: FactsOption = None,  # read by its callback, into the state
) -> views.Listing:
    """Pairs of quotes that contradict or respond to each other, as curated from the sources."""
    facts = _load(ctx)
    found = queries.disputes(facts)
    if not found:
        _say("the fact base records no disputes")
    return views.disputes_listing(facts, found)


class CiteFormat(str, enum.Enum):
    """render.Format's listing formats, and the two that reference managers read (spelled out
    for Typer and mypy; tests/test_exits.py checks the listing formats match)."""

    table = "table"
    plain = "plain"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    markdown = "markdown"
    csl_json = "csl-json"
    bibtex = "bibtex"


@app.command(
    epilog=_examples("kb cite q-putin-mediation", "kb cite q-putin-mediation --format bibtex")
)
def cite(
    ctx: typer.Context,
    record_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="A quote, term or event id.", autocompletion=_complete_ids
        ),
    ],
    fmt: Annotated[
        CiteFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="csl-json (Zotero, pandoc), bibtex, or any listing format [default: table on a terminal, plain in a pipe]",
            show_default=False,
        ),
    ] = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
    facts_option: FactsOption = None,  # read by its callback, into the state
) -> None:
    """A ready citation of a quote, term or event: who, how, when, and where it was reported.

    On a terminal it is the bare sentence, ready to copy; --format table draws it in a box.
    """
    from karabakh_cli import citation

    facts = _load(ctx)
    kind, record = queries.find_record(facts, record_id) or (None, None)
    if not isinstance(record, Citable):
        _say(queries.uncitable_note(facts, record_id, kind))
        _emit(views.Listing("", [], []), None, json or fmt is CiteFormat.json, None, None)
        return
    if fmt is CiteFormat.bibtex:
        sys.stdout.write(citation.bibtex(facts, record))
    elif fmt is CiteFormat.csl_json:
        render.write_json([citation.csl_json(facts, record)], sys.stdout)
    else:
        row = {"id": record.id, "kind": kind, "citation": citation.citation_text(facts, record)}
        listing = views.Listing(
            f"Citation of {record.id}", [row], [views.Column("Citation", "citation")]
        )
        # A person copies a citation from the terminal: the bare sentence, no box around it.
        chosen = Format(fmt.value) if fmt else None if json else Format.plain
        _emit(listing, chosen, json, svg, html)


@app.command(epilog=_examples("kb validate facts.json", "kb validate facts.json --json"))
def validate(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(help="Fact base to check [default: the one in use].", show_default=False),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Findings as a JSON array.")] = False,
) -> None:
    """Check a fact base and report every problem as PATH:LINE:COL: record.field: what.

    Each source's archived text is checked against its SHA-256, and every excerpt against
    that text. Exit 0 when there are no errors (warnings allowed), 1 when there are.
    """
    target = path or _facts_path(ctx)
    problems = factbase.diagnose(factbase.read(target), target.parent)
    errors = sum(problem.severity == "error" for problem in problems)
    if json:
        render.write_json(
            [{"file": str(target), **msgspec.structs.asdict(problem)} for problem in problems],
            sys.stdout,
        )
    else:
        sys.stdout.writelines(
            visible(problem.as_validate_line(str(target))) + "\n" for problem in problems
        )
    warnings = len(problems) - errors
    _say(
        f"{target}: {errors} error(s), {warnings} warning(s)"
        if problems
        else f"{target}: no problems"
    )
    if errors:
        raise typer.Exit(NOT_FOUND)


@app.command(epilog=_examples("kb schema > facts.schema.json", "kb schema | jq '.$defs | keys'"))
def schema() -> None:
    """The JSON Schema of the fact base, generated from the model kb loads it with."""
    import msgspec

    from karabakh_cli.model import FactBase

    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "kb fact base",
        **msgspec.json.schema(FactBase),
    }
    render.write_json(document, sys.stdout)


# Commands that write: kb init, kb add, kb fmt, kb diff. Their core is in adding.py (new
# records), writing.py (locked, checked, atomic writes), canonical.py (the canonical layout)
# and diffing.py (what changed between two versions of a base).


class _Refused(typer.TyperException):
    """What was given cannot be written; a usage error, so nothing is written and exit 2."""

    exit_code = ExitCode.USAGE


def _written_path(ctx: typer.Context) -> Path:
    """The fact base a write goes to: one named by --facts or KB_FACTS, never the built-in one."""
    state = ctx.find_object(State)
    path = state.facts_path if state else None
    if path is None or path.resolve() == factbase.builtin_path().resolve():
        raise _Refused(
            "the built-in fact base is read-only; name the base to write to with "
            "'kb --facts PATH add ...' or KB_FACTS=PATH ('kb init PATH' makes a new one)"
        )
    return path


def _given_or_asked(values: dict[str, Any]) -> dict[str, Any]:
    """The required options, those missing asked for on a terminal; in a pipe or script
    a missing option is never asked for, and the command fails naming every one."""
    missing = [option for option, value in values.items() if value is None]
    if missing and not sys.stdin.isatty():
        raise _Refused(f"missing {', '.join(missing)} (kb asks for them only on a terminal)")
    for option in missing:
        values[option] = typer.prompt(option.lstrip("-").capitalize(), err=True)
    return values


def _shown(added: "adding.Added") -> views.Listing:
    """The added record as kb show lists it: an add prints what kb show would print afterwards."""
    return _record_shown(added.facts, added.kind, added.record)


def _add(
    ctx: typer.Context,
    required: dict[str, Any],
    make: Callable[[dict[str, Any]], "adding.Build"],
    excerpt: str | None,
    dry_run: bool,
    fmt: Format | None,
    json_flag: bool,
) -> None:
    """Run one kb add: ask for what is missing, add, show the record as kb show does."""
    from karabakh_cli import adding, writing

    path = _written_path(ctx)
    answers = {**_given_or_asked(required), "--excerpt": excerpt}
    while True:
        try:
            added = adding.add(path, make(answers), dry_run=dry_run)
            break
        except adding.Missing as missing:
            if answers.get(missing.option) is not None or not sys.stdin.isatty():
                raise _Refused(f"missing {missing.option}: {missing}") from None
            _say(str(missing))
            answers[missing.option] = typer.prompt(
                missing.option.lstrip("-").capitalize(), err=True
            )
        except adding.Refused as refused:
            where = f"{refused.option}: " if refused.option else ""
            raise _Refused(f"{where}{refused}; nothing written") from None
        except writing.Invalid as invalid:
            problem = invalid.problems[0].as_loader_line(str(path))
            raise _Refused(f"nothing written: the result would not be valid: {problem}") from None
    for note in added.notes:
        _say(note)
    _say(
        f"dry run: {added.record.id} not written to {path}"
        if dry_run
        else f"added {added.kind} {added.record.id} to {path}"
    )
    _emit(_shown(added), fmt, json_flag, None, None)


add_app = typer.Typer(
    cls=TyperGroup,
    help="Add a record to the fact base named by --facts or KB_FACTS, checked and locked.",
    epilog=described(
        (ExitCode.FOUND, ExitCode.USAGE, ExitCode.FACT_BASE, ExitCode.INTERRUPTED),
        FOUND="added (or shown, with --dry-run)",
        USAGE="refused, nothing written",
    ),
    no_args_is_help=True,
)
app.add_typer(add_app, name="add")

DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Show the record that would be added; write nothing.")
]
IdOption = Annotated[
    str | None,
    typer.Option(
        "--id", help="The record's id [default: made from the record].", show_default=False
    ),
]
SourceIdOption = Annotated[
    str | None,
    typer.Option("--source", help="The id of the source it comes from.", show_default=False),
]
ExcerptOption = Annotated[
    str | None,
    typer.Option(
        "--excerpt",
        help="The passage of the source it stands in [default: the sentences of the archived text holding it].",
        show_default=False,
    ),
]
NoteOption = Annotated[
    str | None, typer.Option("--note", help="A curator's note.", show_default=False)
]
ActorOption = Annotated[
    list[str] | None,
    typer.Option("--actor", help="Who acts, by name or id (repeatable).", show_default=False),
]
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        callback=_check_date,
        help="2023, 2023-09 or 2023-09-20; a trailing ? if unsure.",
        show_default=False,
    ),
]


@add_app.command(
    "source",
    epilog=_examples(
        'kb --facts my.json add source --title Talks --publisher "Le Monde" --date 2023-09-21 --text a.txt',
        "kb --facts my.json add source --title Briefing --publisher TASS --date 2023-09 --text b.txt --json",
    ),
)
def add_source(
    ctx: typer.Context,
    title: Annotated[
        str | None, typer.Option("--title", help="The document's title.", show_default=False)
    ] = None,
    publisher: Annotated[
        str | None, typer.Option("--publisher", help="Who published it.", show_default=False)
    ] = None,
    date: DateOption = None,
    text: Annotated[
        Path | None,
        typer.Option(
            "--text",
            help="The document's text, a UTF-8 file; kb archives a copy.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Where it was published.", show_default=False)
    ] = None,
    language: Annotated[
        str, typer.Option("--language", help="The language of the text, e.g. en, fr.")
    ] = "en",
    record_id: IdOption = None,
    dry_run: DryRunOption = False,
    fmt: FormatOption = None,
    json: JsonOption = False,
) -> None:
    """Add a source: its text is archived beside the base as sources/ID.txt, with its SHA-256."""
    from karabakh_cli import adding

    required = {"--title": title, "--publisher": publisher, "--date": date, "--text": text}

    def make(answers: dict[str, Any]) -> "adding.Build":
        file = Path(answers["--text"])
        try:
            content = file.read_bytes()
        except OSError as error:
            raise adding.Refused(f"cannot read {file}: {error.strerror}", "--text") from None
        return functools.partial(
            adding.new_source,
            title=answers["--title"],
            publisher=answers["--publisher"],
            date=answers["--date"],
            url=url,
            language=language,
            text=content,
            record_id=record_id,
        )

    _add(ctx, required, make, None, dry_run, fmt, json)


@add_app.command(
    "person",
    epilog=_examples(
        'kb --facts my.json add person --name "Nikol Pashinyan" --role "Prime Minister" --source src-a',
        "kb --facts my.json add person --name Armenia --kind state --role State --source src-a --dry-run",
    ),
)
def add_person(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Option("--name", help="The name as usually written.", show_default=False)
    ] = None,
    role: Annotated[
        str | None,
        typer.Option(
            "--role", help="What they are, e.g. President of Azerbaijan.", show_default=False
        ),
    ] = None,
    source: SourceIdOption = None,
    alias: Annotated[
        list[str] | None,
        typer.Option(
            "--alias", help="Another spelling of the name (repeatable).", show_default=False
        ),
    ] = None,
    kind: Annotated[str, typer.Option("--kind", help="person, organisation or state.")] = "person",
    excerpt: ExcerptOption = None,
    note: NoteOption = None,
    record_id: IdOption = None,
    dry_run: DryRunOption = False,
    fmt: FormatOption = None,
    json: JsonOption = False,
) -> None:
    """Add a person, organisation or state; the excerpt is the sentence of the source naming them."""
    from karabakh_cli import adding

    required = {"--name": name, "--role": role, "--source": source}
    _add(
        ctx,
        required,
        lambda answers: functools.partial(
            adding.new_person,
            name=answers["--name"],
            role=answers["--role"],
            aliases=alias or [],
            kind=kind,
            source_id=answers["--source"],
            excerpt=answers["--excerpt"],
            note=note,
            record_id=record_id,
        ),
        excerpt,
        dry_run,
        fmt,
        json,
    )


@add_app.command(
    "quote",
    epilog=_examples(
        'kb --facts my.json add quote --speaker Aliev --text "restored" --source src-a --date 2023-09-20',
        'kb --facts my.json add quote --speaker putn --text "These talks" --source src-a --date 2023 --json',
    ),
)
def add_quote(
    ctx: typer.Context,
    speaker: Annotated[
        str | None,
        typer.Option(
            "--speaker",
            help="Who said it: a name as kb quote takes it, or an id.",
            show_default=False,
        ),
    ] = None,
    text: Annotated[
        str | None,
        typer.Option(
            "--text",
            help="The words, verbatim as the source's text prints them.",
            show_default=False,
        ),
    ] = None,
    source: SourceIdOption = None,
    date: DateOption = None,
    place: Annotated[
        str | None, typer.Option("--place", help="Where it was said.", show_default=False)
    ] = None,
    medium: Annotated[
        str | None,
        typer.Option(
            "--medium",
            help="How: televised speech, interview... [default: reported by the source's publisher]",
            show_default=False,
        ),
    ] = None,
    excerpt: ExcerptOption = None,
    note: NoteOption = None,
    contradicts: Annotated[
        list[str] | None,
        typer.Option(
            "--contradicts",
            help="The id of a quote this one contradicts (repeatable).",
            show_default=False,
        ),
    ] = None,
    record_id: IdOption = None,
    dry_run: DryRunOption = False,
    fmt: FormatOption = None,
    json: JsonOption = False,
) -> None:
    """Add a quote: its text must stand verbatim in the source's archived text."""
    from karabakh_cli import adding

    required = {"--speaker": speaker, "--text": text, "--source": source, "--date": date}
    _add(
        ctx,
        required,
        lambda answers: functools.partial(
            adding.new_quote,
            speaker=answers["--speaker"],
            text=answers["--text"],
            source_id=answers["--source"],
            date=answers["--date"],
            place=place,
            medium=medium,
            excerpt=answers["--excerpt"],
            note=note,
            contradicts=contradicts or [],
            record_id=record_id,
        ),
        excerpt,
        dry_run,
        fmt,
        json,
    )


@add_app.command(
    "event",
    epilog=_examples(
        'kb --facts my.json add event --date 2023-09-19 --text "Offensive" --source src-a --excerpt "..."',
        'kb --facts my.json add event --date 2023-09-20 --text "ceasefire" --source src-a --actor Russia',
    ),
)
def add_event(
    ctx: typer.Context,
    date: DateOption = None,
    text: Annotated[
        str | None,
        typer.Option("--text", help="What happened, in your own words.", show_default=False),
    ] = None,
    source: SourceIdOption = None,
    excerpt: ExcerptOption = None,
    place: Annotated[
        str | None, typer.Option("--place", help="Where it happened.", show_default=False)
    ] = None,
    actor: ActorOption = None,
    note: NoteOption = None,
    record_id: IdOption = None,
    dry_run: DryRunOption = False,
    fmt: FormatOption = None,
    json: JsonOption = False,
) -> None:
    """Add an event; its excerpt is --excerpt, found by kb only where the text itself stands in the source."""
    from karabakh_cli import adding

    required = {"--date": date, "--text": text, "--source": source}
    _add(
        ctx,
        required,
        lambda answers: functools.partial(
            adding.new_event,
            date=answers["--date"],
            text=answers["--text"],
            source_id=answers["--source"],
            excerpt=answers["--excerpt"],
            place=place,
            actors=actor or [],
            note=note,
            record_id=record_id,
        ),
        excerpt,
        dry_run,
        fmt,
        json,
    )


@add_app.command(
    "term",
    epilog=_examples(
        'kb --facts my.json add term --text "Withdrawal of remaining units" --quoted --source src-a',
        'kb --facts my.json add term --text "lay down their arms" --source src-a --actor Karabakh --json',
    ),
)
def add_term(
    ctx: typer.Context,
    text: Annotated[
        str | None,
        typer.Option(
            "--text", help="The term, verbatim as the source's text prints it.", show_default=False
        ),
    ] = None,
    source: SourceIdOption = None,
    quoted: Annotated[
        bool, typer.Option("--quoted", help="The source prints the term in quotation marks.")
    ] = False,
    excerpt: ExcerptOption = None,
    actor: ActorOption = None,
    note: NoteOption = None,
    record_id: IdOption = None,
    dry_run: DryRunOption = False,
    fmt: FormatOption = None,
    json: JsonOption = False,
) -> None:
    """Add a ceasefire term, after the others; its text must stand verbatim in the source's archived text."""
    from karabakh_cli import adding

    required = {"--text": text, "--source": source}
    _add(
        ctx,
        required,
        lambda answers: functools.partial(
            adding.new_term,
            text=answers["--text"],
            quoted=quoted,
            source_id=answers["--source"],
            excerpt=answers["--excerpt"],
            actors=actor or [],
            note=note,
            record_id=record_id,
        ),
        excerpt,
        dry_run,
        fmt,
        json,
    )


@app.command(epilog=_examples("kb init my-base/facts.json", "kb init my-base"))
def init(
    path: Annotated[
        Path,
        typer.Argument(
            help="The fact base file to create (name.json), or a folder to create facts.json in."
        ),
    ],
) -> None:
    """Create a new, empty, valid fact base and its sources/ folder; never overwrites a file.

    Exit 0 when created, 2 when PATH exists, 3 when it cannot be written.
    """
    from karabakh_cli import adding, canonical, writing

    # "kb init my-base" means a folder: a fact base file has an extension (.json).
    target = path / "facts.json" if path.is_dir() or not path.suffix else path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        writing.create(target, canonical.empty().encode())
        (target.parent / adding.ARCHIVE_FOLDER).mkdir(exist_ok=True)
    except FileExistsError:
        raise _Refused(f"{target} exists; kb init never overwrites a file") from None
    except OSError as error:
        raise FactBaseError(str(target), [Problem(f"cannot write: {error.strerror}")]) from None
    _say(f"created {target}; add records with: kb --facts {target} add ...")


@app.command(
    "fmt", epilog=_examples("kb fmt facts.json", "kb fmt --check facts.json  # in CI or pre-commit")
)
def fmt_command(
    files: Annotated[list[Path], typer.Argument(help="Fact base files.", show_default=False)],
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 if a file is not canonical.")
    ] = False,
) -> None:
    """Rewrite fact bases in kb's canonical layout: the model's key order, 2-space indent,
    non-ASCII text as it is. Each must be structurally valid (no unknown keys).

    Exit 0 when every file is (now) canonical, 1 when --check finds one that is not, 3 when a
    file cannot be read or is not a valid fact base.
    """
    from karabakh_cli import writing

    changed = [file for file in files if writing.reformat(file, check_only=check)]
    for file in changed:
        _say(
            f"{file} is not in kb's canonical layout; run: kb fmt {file}"
            if check
            else f"reformatted {file}"
        )
    if not changed:
        _say(f"{len(files)} file(s) already canonical")
    if check and changed:
        raise typer.Exit(NOT_FOUND)


@app.command(
    "diff",
    epilog=_examples(
        "kb diff old-facts.json facts.json", "kb diff --rev HEAD facts.json --format markdown"
    ),
)
def diff_command(
    old: Annotated[
        Path, typer.Argument(help="The earlier fact base (with --rev: the file to compare).")
    ],
    new: Annotated[
        Path | None,
        typer.Argument(help="The later fact base (none with --rev).", show_default=False),
    ] = None,
    rev: Annotated[
        str | None,
        typer.Option(
            "--rev", help="Compare the file with itself at this git revision.", show_default=False
        ),
    ] = None,
    fmt: FormatOption = None,
    json: JsonOption = False,
) -> None:
    """The records added, removed, moved and changed, field by field, from OLD to NEW.

    Exit 0 when there are no differences and 1 when there are, as diff does.
    """
    from karabakh_cli import canonical, diffing

    if (rev is None) == (new is None):
        raise _Refused("give two fact bases, OLD NEW, or one with --rev REVISION")
    if rev is not None:
        try:
            before = diffing.at_revision(old, rev)
        except diffing.RevisionError as error:
            raise _Refused(f"--rev: {error}") from None
        old_label, new_path = f"{old}@{rev}", old
    else:
        assert new is not None
        before, old_label, new_path = factbase.read(old), str(old), new
    found = diffing.differences(
        canonical.structure(before, old_label),
        canonical.structure(factbase.read(new_path), str(new_path)),
    )
    listing = diffing.listing(old_label, str(new_path), found)
    render.write(listing, render.choose_format(fmt, json, sys.stdout.isatty()), sys.stdout)
    if not found:
        _say(f"no differences between {old_label} and {new_path}")
    raise typer.Exit(NOT_FOUND if found else FOUND)
