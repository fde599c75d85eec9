"""The kb command line: each command parses, calls the core, and hands the result to render.

Exit codes, mapped in one place (KbGroup.main):
  0 something was found; 1 a lookup found nothing (or kb validate found problems);
  2 a usage error; 3 the fact base cannot be read or is invalid; 130 interrupted.
"""

# No ``from __future__ import annotations`` here: Typer reads these signatures on every run,
# and real annotation objects spare it evaluating each string again.
import enum
import gc
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import msgspec
import typer
from typer.core import TyperGroup

from karabakh_cli import __version__, factbase, queries, render, views
from karabakh_cli.match import EXACT, WHO_SAID_THRESHOLD
from karabakh_cli.model import (
    PARTIAL_DATE_FORM,
    Citable,
    RecordKind,
    parse_partial_date,
)
from karabakh_cli.problems import FactBaseError
from karabakh_cli.render import Format
from karabakh_cli.text import visible

# Exit codes; a usage error's 2 is Typer's own (UsageError.exit_code).
FOUND, NOT_FOUND, FACT_BASE, INTERRUPTED = 0, 1, 3, 130
# kb search shows the best hits first and this many unless told otherwise, as search tools do.
SEARCH_LIMIT = 50

EXIT_CODES = """Exit codes: 0 found; 1 nothing found (or kb validate found problems); 2 usage error;
3 the fact base cannot be read or is invalid; 130 interrupted."""


def _say(message: str) -> None:
    """A message for the person at the terminal: stderr, never mixed into the data.

    Messages quote names, fields and ids from the input, so control characters are shown,
    never sent to the terminal.
    """
    sys.stderr.write(f"kb: {visible(message)}\n")


class KbGroup(TyperGroup):
    """Runs a command and turns every failure into one line on stderr and its exit code."""

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
            code = result if isinstance(result, int) else FOUND
        except FactBaseError as error:
            for problem in error.problems[:1]:
                _say(problem.as_loader_line(error.file))
            if error.more_may_follow:
                _say(f"more problems may follow; run: kb validate {error.file}")
            elif len(error.problems) > 1:
                _say(f"{len(error.problems) - 1} more problem(s); run: kb validate {error.file}")
            code = FACT_BASE
        except typer.TyperException as error:
            context = getattr(error, "ctx", None)
            hint = f" (see '{context.command_path} --help')" if context else ""
            _say(f"{error.format_message()}{hint}")
            code = error.exit_code
        except (KeyboardInterrupt, typer.Abort):
            code = INTERRUPTED
        sys.exit(code)


app = typer.Typer(
    cls=KbGroup,
    name="kb",
    help="Who said what, when and where: the September 2023 Nagorno-Karabakh offensive and "
    "ceasefire, from a curated, sourced fact base.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class State(msgspec.Struct):
    facts_path: Path | None = None


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
            help="Fact base to read instead of the built-in one.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print kb's version."),
    ] = False,
) -> None:
    """Keep the global options; each command reads the fact base when it needs it."""
    ctx.obj = State(facts)


def _facts_path(ctx: typer.Context) -> Path:
    state = ctx.find_object(State)
    return (state.facts_path if state else None) or factbase.builtin_path()


def _load(ctx: typer.Context) -> queries.Facts:
    path = _facts_path(ctx)
    facts = queries.Facts(factbase.load(path), path)
    # The base lives as long as the process: moved out of the collector's sight, its hundreds
    # of thousands of objects are not rescanned each time a lookup allocates.
    gc.freeze()
    return facts


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


def _non_empty(value: str) -> str:
    if not value.strip():
        raise typer.BadParameter("must not be empty")
    return value


def _complete_speakers(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        facts = _load(ctx)
    except FactBaseError:
        return []
    return [p.name for p in facts.speakers() if p.name.casefold().startswith(incomplete.casefold())]


def _complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        facts = _load(ctx)
    except FactBaseError:
        return []
    return [record_id for record_id in facts.records if record_id.startswith(incomplete)]


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


SvgOption = Annotated[
    Path | None,
    typer.Option(
        "--svg",
        help="Also save the table view as an SVG picture.",
        dir_okay=False,
        show_default=False,
    ),
]
HtmlOption = Annotated[
    Path | None,
    typer.Option(
        "--html",
        help="Also save the table view as an HTML page.",
        dir_okay=False,
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
# The output options every listing command shares; listing_command adds them.
_OUTPUT_OPTIONS = [
    inspect.Parameter(
        "fmt",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            Format | None,
            typer.Option(
                "--format",
                "-f",
                help="table, plain, json, jsonl, csv or markdown [default: table on a terminal, plain in a pipe]",
                show_default=False,
            ),
        ],
    ),
    inspect.Parameter(
        "json",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=JsonOption,
    ),
    inspect.Parameter(
        "svg",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=SvgOption,
    ),
    inspect.Parameter(
        "html",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=HtmlOption,
    ),
]

ListingCommand = Callable[..., views.Listing]


def listing_command(
    *examples: str, name: str | None = None
) -> Callable[[ListingCommand], ListingCommand]:
    """Register a command that returns a listing.

    The command gains the shared output options (--format, --json, --svg, --html) and its
    listing is written by ``_emit``, so every listing command keeps the same output contract.
    """

    def register(command: ListingCommand) -> ListingCommand:
        signature = inspect.signature(command, eval_str=True)

        def run(**arguments: Any) -> None:
            output = [arguments.pop(option.name) for option in _OUTPUT_OPTIONS]
            _emit(command(**arguments), *output)

        run.__name__, run.__doc__ = command.__name__, command.__doc__
        parameters = [*signature.parameters.values(), *_OUTPUT_OPTIONS]
        # Typer reads the signature it is given: the command's own parameters, then the outputs.
        run.__signature__ = signature.replace(parameters=parameters, return_annotation=None)  # type: ignore[attr-defined]
        app.command(name, epilog=_examples(*examples))(run)
        return command

    return register


def _emit(
    listing: views.Listing, fmt: Format | None, json_flag: bool, svg: Path | None, html: Path | None
) -> None:
    """Write a listing to stdout in the chosen format; exit 1 if it is empty."""
    chosen = render.choose_format(fmt, json_flag, sys.stdout.isatty())
    render.write(listing, chosen, sys.stdout)
    try:
        render.save_pictures(listing, svg, html)
    except OSError as error:
        raise typer.BadParameter(f"cannot save {error.filename}: {error.strerror}") from None
    if not listing.rows:
        raise typer.Exit(NOT_FOUND)


def _filters(since: str | None, until: str | None, place: str | None = None) -> queries.Filters:
    """The filters of --since, --until and --place, whose dates _check_date has checked."""
    return queries.Filters(
        parse_partial_date(since) if since else None,
        parse_partial_date(until) if until else None,
        place,
    )


@listing_command("kb quote Putin", "kb quote aliev --json")
def quote(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            help="Speaker's name, any spelling: surname, first name, typos.",
            callback=_non_empty,
            autocompletion=_complete_speakers,
        ),
    ],
    since: SinceOption = None,
    until: UntilOption = None,
    place: PlaceOption = None,
) -> views.Listing:
    """A speaker's quotes, in date order."""
    filters = _filters(since, until, place)
    facts = _load(ctx)
    found = queries.quotes_by(facts, name, filters)
    if not found.speakers:
        nearest = ", ".join(match.person.name for match in found.nearest)
        _say(
            f"no speaker matches {name!r}"
            + (
                f"; nearest known speakers: {nearest}"
                if nearest
                else "; 'kb people' lists everyone"
            )
        )
    elif len(found.speakers) > 1:
        names = ", ".join(match.person.name for match in found.speakers[:5])
        if len(found.speakers) > 5:
            names += f" and {len(found.speakers) - 5} more"
        _say(f"{name!r} matches {len(found.speakers)} people equally well: {names}; showing each")
    elif found.speakers[0].score < EXACT:
        best = found.speakers[0]
        _say(
            f"no exact match for {name!r}; showing {best.person.name} (matched {best.matched!r}, score {best.score:.0f})"
        )
    if found.speakers and not found.quotes:
        names = " or ".join(match.person.name for match in found.speakers)
        filtered = since or until or place
        _say(f"no quotes of {names}{' match these filters' if filtered else ' in the fact base'}")
    title = (
        "Quotes of " + ", ".join(match.person.name for match in found.speakers)
        if found.speakers
        else "Quotes"
    )
    return views.quotes_listing(facts, title, found.quotes)


@listing_command("kb terms", "kb terms --format markdown")
def terms(
    ctx: typer.Context,
) -> views.Listing:
    """The ceasefire's terms, numbered in the document's order, with their source."""
    return views.terms_listing(_load(ctx))


@listing_command("kb timeline", "kb timeline --since 2023-09-20 --json")
def timeline(
    ctx: typer.Context,
    since: SinceOption = None,
    until: UntilOption = None,
    place: PlaceOption = None,
) -> views.Listing:
    """What happened, in date order; a year or month comes before the days within it."""
    filters = _filters(since, until, place)
    facts = _load(ctx)
    events = queries.timeline(facts, filters)
    if not events:
        _say("no events match these filters")
    return views.timeline_listing(facts, events)


class Kind(str, enum.Enum):
    quote = "quote"
    term = "term"
    event = "event"
    person = "person"


@listing_command("kb search peacekeepers", 'kb search "Yevlakh talks" --kind event --json')
def search(
    ctx: typer.Context,
    text: Annotated[
        str,
        typer.Argument(
            help="Words to look for, in any order; typos are forgiven.", callback=_non_empty
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
) -> views.Listing:
    """Search quotes, terms, events and people, best match first."""
    filters = _filters(since, until)
    facts = _load(ctx)
    kinds: list[RecordKind] = (
        [k.value for k in kind] if kind else ["quote", "term", "event", "person"]
    )
    hits, total = queries.search(facts, text, kinds, filters, limit or None)
    if not hits:
        _say(f"nothing in the fact base matches {text!r}")
    elif total > len(hits):
        _say(f"showing the best {len(hits)} of {total} hits; --limit 0 shows all")
    return views.search_listing(facts, text, hits)


@listing_command(
    'kb who-said "the Russians will not participate"',
    'kb who-said "no celebration" --json',
    name="who-said",
)
def who_said(
    ctx: typer.Context,
    fragment: Annotated[
        str,
        typer.Argument(
            help="A half-remembered or paraphrased piece of a quote.", callback=_non_empty
        ),
    ],
    since: SinceOption = None,
    until: UntilOption = None,
) -> views.Listing:
    """Which quote a fragment most likely comes from, best first, scored 0-100.

    Refuses (exit 1) when no quote scores at least 75 rather than guess.
    """
    facts = _load(ctx)
    scored = queries.attribute(facts, fragment, _filters(since, until))
    found = [item for item in scored if item.score >= WHO_SAID_THRESHOLD]
    if not found:
        closest = (
            f"; the closest is {scored[0].quote.id} with {scored[0].score:.0f}" if scored else ""
        )
        _say(
            f"no quote in the fact base matches {fragment!r} (threshold {WHO_SAID_THRESHOLD}){closest}"
        )
    return views.who_said_listing(facts, fragment, found)


@listing_command("kb people", "kb people --format csv")
def people(
    ctx: typer.Context,
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
) -> views.Listing:
    """One record in full, with its source and the quote marked in its excerpt."""
    facts = _load(ctx)
    found = facts.records.get(record_id)
    if found is None:
        _say(
            f"no record has the id {record_id!r}; nearest: {', '.join(queries.nearest_ids(facts, record_id))}"
        )
        return views.Listing("", [], [])
    return views.show_listing(facts, *found)


@listing_command("kb sources", "kb --facts my-facts.json sources --json")
def sources(
    ctx: typer.Context,
) -> views.Listing:
    """The sources, what each contributes, and which fact base file is in use."""
    facts = _load(ctx)
    _say(f"fact base: {facts.path}")
    return views.sources_listing(facts)


@listing_command("kb disputes", "kb disputes --json")
def disputes(
    ctx: typer.Context,
) -> views.Listing:
    """Pairs of quotes that contradict or respond to each other, as curated from the sources."""
    facts = _load(ctx)
    found = queries.disputes(facts)
    if not found:
        _say("the fact base records no disputes")
    return views.disputes_listing(facts, found)


class CiteFormat(str, enum.Enum):
    """The listing formats, and the two that reference managers read."""

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
) -> None:
    """A ready citation of a quote, term or event: who, how, when, and where it was reported."""
    from karabakh_cli import citation

    facts = _load(ctx)
    kind, record = facts.records.get(record_id, (None, None))
    if not isinstance(record, Citable):
        what = (
            f"only quotes, terms and events can be cited, not a {kind}"
            if kind
            else "no record has the id"
        )
        nearest = ", ".join(queries.nearest_ids(facts, record_id))
        _say(f"{what} {record_id!r}; nearest: {nearest}")
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
        _emit(listing, Format(fmt.value) if fmt else None, json, svg, html)


@app.command(
    epilog=_examples(
        "kb validate facts.json", "kb validate facts.json --source-text article.txt --json"
    )
)
def validate(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(help="Fact base to check [default: the one in use].", show_default=False),
    ] = None,
    source_text: Annotated[
        Path | None,
        typer.Option(
            "--source-text",
            help="Also check that excerpts occur verbatim in this text.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    source_id: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Which source --source-text is [default: the only one].",
            show_default=False,
        ),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Findings as a JSON array.")] = False,
) -> None:
    """Check a fact base and report every problem as PATH:LINE:COL: record.field: what.

    Exit 0 when there are no errors (warnings allowed), 1 when there are.
    """
    target = path or _facts_path(ctx)
    data = factbase.read(target)
    pairing = _source_pairing(data, source_text, source_id)
    problems = factbase.diagnose(data, pairing)
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


def _source_pairing(
    data: bytes, source_text: Path | None, source_id: str | None
) -> tuple[str, str] | None:
    """The (source id, text) pair --source-text and --source name, read and checked."""
    if source_text is None:
        return None
    try:
        text = source_text.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise typer.BadParameter(
            f"cannot read {source_text}: {getattr(error, 'strerror', None) or error}",
            param_hint="--source-text",
        ) from None
    if source_id is None:
        try:
            _, raw = factbase.parse(data)
        except FactBaseError:
            return None
        ids = (
            [s.get("id") for s in raw.get("sources", [])]
            if isinstance(raw, dict) and isinstance(raw.get("sources"), list)
            else []
        )
        if len(ids) != 1 or not isinstance(ids[0], str):
            raise typer.BadParameter(
                "the fact base has several sources; name one with --source",
                param_hint="--source-text",
            )
        source_id = ids[0]
    return source_id, text


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
