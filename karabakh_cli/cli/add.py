"""kb add: one subcommand a writable kind, each declaring its options and returning an AddPlan;
asking for what is missing, adding, reporting and showing are in ``_add`` once. Its core is
adding.py (new records) and writing.py (locked, checked, atomic writes).

Imported only when a command line names ``add`` (cli_app.KbGroup), so lookups never build
its five subcommands.
"""

# No ``from __future__ import annotations`` here: Typer reads these signatures on every run,
# and real annotation objects spare it evaluating each string again.
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer

from karabakh_cli.cli.exits import ExitCode, described
from karabakh_cli.cli.shared import (
    FormatOption,
    Group,
    JsonOption,
    Output,
    UsageRefusal,
    check_date,
    command,
    emit,
    help_examples,
    record_shown,
    say,
    written_path,
)
from karabakh_cli.model import DATE_EXAMPLES, PERSON_KINDS, TRANSLATION_KINDS
from karabakh_cli.output import views
from karabakh_cli.output.render import Format
from karabakh_cli.text import listed

if TYPE_CHECKING:
    from karabakh_cli.curate import adding
    from karabakh_cli.lookup.loaded import LoadedBase


def _given_or_asked(values: dict[str, Any]) -> dict[str, Any]:
    """The required options, those missing asked for on a terminal; in a pipe or script
    a missing option is never asked for, and the command fails naming every one."""
    missing = [option for option, value in values.items() if value is None]
    if missing and not sys.stdin.isatty():
        raise UsageRefusal(f"missing {', '.join(missing)} (kb asks for them only on a terminal)")
    for option in missing:
        values[option] = typer.prompt(option.lstrip("-").capitalize(), err=True)
    return values


def _shown(added: "adding.Added") -> views.Listing:
    """The added record as kb show lists it: an add prints what kb show would print afterwards."""
    return record_shown(added.facts, added.kind, added.record)


def _add(
    ctx: typer.Context, plan: "AddPlan", excerpt: str | None, dry_run: bool, output: Output
) -> None:
    """Run one kb add: ask for what is missing, add, show the record as kb show does."""
    from karabakh_cli.curate import adding, writing

    path = written_path(ctx)
    required = dict(plan.required.values())
    answers = {**_given_or_asked(required), "--excerpt": excerpt}
    while True:
        try:
            added = adding.add(path, plan.build(answers), dry_run=dry_run)
            break
        except adding.Missing as missing:
            if answers.get(missing.option) is not None or not sys.stdin.isatty():
                raise UsageRefusal(f"missing {missing.option}: {missing}") from None
            say(str(missing))
            answers[missing.option] = typer.prompt(
                missing.option.lstrip("-").capitalize(), err=True
            )
        except adding.Refused as refused:
            where = f"{refused.option}: " if refused.option else ""
            raise UsageRefusal(f"{where}{refused}; nothing written") from None
        except writing.Invalid as invalid:
            from karabakh_cli.cli.writes import refused_write

            raise refused_write(invalid) from None
    for note in added.notes:
        say(note)
    say(
        f"dry run: {added.record.id} not written to {path}"
        if dry_run
        else f"added {added.kind} {added.record.id} to {path}"
    )
    emit(_shown(added), output)


add_app = typer.Typer(
    cls=Group,
    name="add",
    help="Add a record to the fact base named by --facts or KB_FACTS, checked and locked; "
    "with --from FILE (- for standard input), the jsonl proposals of kb add quotes, in one "
    "transaction.",
    epilog=help_examples(
        "kb --facts my.json add --from proposals.jsonl --dry-run",
        "kb --facts my.json add quotes --source src-a | kb --facts my.json add --from -",
        exit_codes=described(
            (ExitCode.FOUND, ExitCode.USAGE, ExitCode.FACT_BASE, ExitCode.INTERRUPTED),
            FOUND="added (or shown, with --dry-run)",
            USAGE="refused, nothing written",
        ),
    ),
    no_args_is_help=True,
)


class AddPlan(NamedTuple):
    """What a kb add subcommand hands on: the core function making its record, the options it
    requires (each as the keyword it is passed as: its option and the value given, None when
    not), and the keyword arguments given as they are. ``_add`` asks for what is missing and
    builds the record once."""

    new: Callable[..., "adding.New"]
    required: dict[str, tuple[str, Any]]
    given: dict[str, Any]
    excerpt: bool = True
    """Whether the kind has an excerpt (--excerpt, asked for when kb cannot find it)."""

    def build(self, answers: dict[str, Any]) -> "adding.Build":
        """The record's builder, from the answers to the required options (and --excerpt)."""
        keywords = {keyword: answers[option] for keyword, (option, _) in self.required.items()}
        if self.excerpt:
            keywords["excerpt"] = answers["--excerpt"]
        return functools.partial(self.new, **self.given, **keywords)


DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Show the record that would be added; write nothing.")
]
IdOption = Annotated[
    str | None,
    typer.Option(
        "--id", help="The record's id (default: made from the record).", show_default=False
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
        help="The passage of the source it stands in (default: the sentences of the archived text holding it).",
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
        callback=check_date,
        help=f"{DATE_EXAMPLES}; a trailing ? if unsure.",
        show_default=False,
    ),
]


@command(
    'kb --facts my.json add source --title Talks --publisher "Le Monde" --date 2023-09-21 --text a.txt',
    "kb --facts my.json add source --title Briefing --publisher TASS --date 2023-09 --text b.txt --json",
    name="source",
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
    translated_from: Annotated[
        str | None,
        typer.Option(
            "--translated-from",
            help="The text translates an original in this language, e.g. fr.",
            show_default=False,
        ),
    ] = None,
    translation: Annotated[
        str | None,
        typer.Option(
            "--translation",
            help=f"Who translated it: {listed(TRANSLATION_KINDS, 'or')}.",
            show_default=False,
        ),
    ] = None,
    title_supplied: Annotated[
        bool,
        typer.Option(
            "--title-supplied",
            help="The document has no title of its own: --title describes it, and citations "
            "show it in square brackets.",
        ),
    ] = False,
    record_id: IdOption = None,
    dry_run: DryRunOption = False,
    fmt: FormatOption = None,
    json: JsonOption = False,
) -> None:
    """Add a source: its text is archived beside the base as sources/ID.txt, with its SHA-256."""
    plan = AddPlan(
        _source_from_file,
        {
            "title": ("--title", title),
            "publisher": ("--publisher", publisher),
            "date": ("--date", date),
            "text_file": ("--text", text),
        },
        {
            "title_supplied": title_supplied,
            "url": url,
            "language": language,
            "translated_from": translated_from,
            "translation": translation,
            "record_id": record_id,
        },
        excerpt=False,
    )
    _add(ctx, plan, None, dry_run, Output(fmt, json))


def _source_from_file(
    facts: "LoadedBase",
    *,
    text_file: str,
    translated_from: str | None,
    translation: str | None,
    **fields: Any,
) -> "adding.New":
    """adding.new_source with the text read from the file --text names, and what it translates;
    the whole base is then checked as kb validate checks it (checks.py), translation included."""
    import msgspec

    from karabakh_cli import files
    from karabakh_cli.curate import adding

    file = Path(text_file)
    try:
        content = files.read_regular(file)
    except OSError as error:
        raise adding.Refused(f"cannot read {file}: {error.strerror}", "--text") from None
    new = adding.new_source(facts, text=content, **fields)
    if translated_from is None and translation is None:
        return new
    try:
        source = msgspec.structs.replace(
            new.record, translated_from=translated_from, translation=translation
        )
    except (ValueError, TypeError) as error:
        raise adding.Refused(str(error), "--translation") from None
    return msgspec.structs.replace(new, record=source)


@command(
    'kb --facts my.json add person --name "Nikol Pashinyan" --role "Prime Minister" --source src-a',
    "kb --facts my.json add person --name Armenia --kind state --role State --source src-a --dry-run",
    name="person",
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
    kind: Annotated[str, typer.Option("--kind", help=f"{listed(PERSON_KINDS, 'or')}.")] = "person",
    excerpt: ExcerptOption = None,
    note: NoteOption = None,
    record_id: IdOption = None,
    dry_run: DryRunOption = False,
    fmt: FormatOption = None,
    json: JsonOption = False,
) -> None:
    """Add a person, organisation or state; the excerpt is the sentence of the source naming them."""
    from karabakh_cli.curate import adding

    plan = AddPlan(
        adding.new_person,
        {"name": ("--name", name), "source_id": ("--source", source)},
        {"role": role, "aliases": alias or [], "kind": kind, "note": note, "record_id": record_id},
    )
    _add(ctx, plan, excerpt, dry_run, Output(fmt, json))


@command(
    'kb --facts my.json add quote --speaker Aliev --text "restored" --source src-a --date 2023-09-20',
    'kb --facts my.json add quote --speaker putn --text "These talks" --source src-a --date 2023 --json',
    name="quote",
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
            help="How: televised speech, interview... (default: reported by the source's publisher).",
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
    inferred: Annotated[
        bool,
        typer.Option(
            "--inferred",
            help="The excerpt names nobody (he said): who spoke is your reading of the source; --note says why.",
        ),
    ] = False,
    fragment: Annotated[
        bool,
        typer.Option(
            "--fragment",
            help="The words are a fragment the source quotes inside its own reported speech, not a direct quotation.",
        ),
    ] = False,
    record_id: IdOption = None,
    dry_run: DryRunOption = False,
    fmt: FormatOption = None,
    json: JsonOption = False,
) -> None:
    """Add a quote: its text must stand verbatim in the source's archived text, and the
    excerpt must credit the speaker."""

    plan = AddPlan(
        functools.partial(_quote_in_form, "fragment" if fragment else "direct"),
        {
            "speaker": ("--speaker", speaker),
            "text": ("--text", text),
            "source_id": ("--source", source),
            "date": ("--date", date),
        },
        {
            "place": place,
            "medium": medium,
            "note": note,
            "contradicts": contradicts or [],
            "attribution": "inferred" if inferred else "stated",
            "record_id": record_id,
        },
    )
    _add(ctx, plan, excerpt, dry_run, Output(fmt, json))


def _quote_in_form(form: str, facts: "LoadedBase", **fields: Any) -> "adding.New":
    """adding.new_quote, the quote recorded as a direct quotation or a fragment (--fragment)."""
    from karabakh_cli.curate import accepting, adding

    return accepting.with_form(form, adding.new_quote(facts, **fields))  # type: ignore[arg-type]


@command(
    'kb --facts my.json add event --date 2023-09-19 --text "Offensive" --source src-a --excerpt "..."',
    'kb --facts my.json add event --date 2023-09-20 --text "ceasefire" --source src-a --actor Russia',
    name="event",
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
    from karabakh_cli.curate import adding

    plan = AddPlan(
        adding.new_event,
        {"date": ("--date", date), "text": ("--text", text), "source_id": ("--source", source)},
        {"place": place, "actors": actor or [], "note": note, "record_id": record_id},
    )
    _add(ctx, plan, excerpt, dry_run, Output(fmt, json))


@command(
    'kb --facts my.json add term --text "Withdrawal of remaining units" --quoted --source src-a',
    'kb --facts my.json add term --text "lay down their arms" --source src-a --actor Karabakh --json',
    name="term",
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
    from karabakh_cli.curate import adding

    plan = AddPlan(
        adding.new_term,
        {"text": ("--text", text), "source_id": ("--source", source)},
        {"quoted": quoted, "actors": actor or [], "note": note, "record_id": record_id},
    )
    _add(ctx, plan, excerpt, dry_run, Output(fmt, json))


# kb add quotes and kb add --from: proposals from a source's archived text, reviewed on a
# terminal or written as jsonl, and taken back; the core is proposing.py and accepting.py.


def _proposed(ctx: typer.Context, source_id: str) -> tuple["LoadedBase", str, list[Any]]:
    """The base, the source's archived text and every proposal kb makes from it."""
    from karabakh_cli.base import factbase
    from karabakh_cli.curate import adding, proposing
    from karabakh_cli.lookup.loaded import LoadedBase

    path = written_path(ctx)
    facts = LoadedBase(factbase.load(path), path)
    source = facts.sources.get(source_id)
    if source is None:
        known = ", ".join(facts.sources) or "none yet; add one with kb add source"
        raise UsageRefusal(f"--source: no source has the id {source_id!r}; sources: {known}")
    try:
        text = adding.archived_text(path.parent, source)
    except adding.Refused as refused:
        raise UsageRefusal(f"--source: {refused}") from None
    if text is None:
        raise UsageRefusal(f"--source: {source_id} has no archived text to propose quotes from")
    return facts, text, list(proposing.propose(facts, source, text))


def _tally(proposals: list[Any]) -> str:
    counts = {status: 0 for status in ("new", "in-base", "unresolved")}
    for proposal in proposals:
        counts[proposal.status] += 1
    return (
        f"{len(proposals)} quotation(s): {counts['new']} new, {counts['in-base']} already in "
        f"the base, {counts['unresolved']} with no speaker named"
    )


@command(
    "kb --facts my.json add quotes --source src-ruritaniatimes-2023-09-21",
    "kb --facts my.json add quotes --source src-a | kb --facts my.json add --from - --dry-run",
    name="quotes",
)
def add_quotes(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Option(
            "--source", help="The id of the source whose archived text to read.", show_default=False
        ),
    ],
    review: Annotated[
        bool | None,
        typer.Option(
            "--review/--no-review",
            help="Review each proposal (the default on a terminal), or write them as jsonl "
            "(the default in a pipe).",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = None,
    json: JsonOption = False,
) -> None:
    """Propose a quote for every quotation of a source's archived text, with the speaker the
    text credits, and review them: accept, edit a field, skip or quit. Accepted records are
    written at the end, in one checked, locked, atomic write; nothing is written without
    your word. In a pipe, the proposals are written as jsonl for kb add --from."""
    from karabakh_cli.output import proposals as shown

    facts, text, proposals = _proposed(ctx, source)
    reviewing = review if review is not None else sys.stdin.isatty() and sys.stdout.isatty()
    if fmt is not None or json:
        reviewing = False
    if not reviewing:
        say(_tally(proposals))
        chosen = fmt or (Format.json if json else Format.jsonl)
        emit(
            shown.proposals_listing(f"Proposals from {source}", proposals),
            Output(chosen),
            empty_is_nothing_found=True,
        )
        return
    from karabakh_cli.cli import reviewing as review_module

    review_module.review(facts, text, proposals, _tally(proposals))


def _read_lines(file: str) -> list[str]:
    try:
        if file == "-":
            return sys.stdin.read().splitlines()
        return Path(file).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise UsageRefusal(f"--from: cannot read {file}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise UsageRefusal(f"--from: {file} is not UTF-8 (byte {error.start})") from None


def _accepted_lines(lines: list[str]) -> tuple[list[Any], list[int], int]:
    """The proposals of jsonl lines, the line number of each, and how many were in the base
    already (skipped); a line that is not a proposal is refused naming its number."""
    import msgspec

    from karabakh_cli.curate import accepting

    accepted, numbers, in_base = [], [], 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            proposal = msgspec.json.decode(line, type=accepting.Accepted)
        except msgspec.ValidationError as error:
            message = str(error).replace("Object missing required field", "missing required field")
            raise UsageRefusal(f"--from line {number}: {message.replace('`', '')}") from None
        except msgspec.DecodeError as error:
            raise UsageRefusal(f"--from line {number}: not a JSON object: {error}") from None
        if proposal.status == "in-base":
            in_base += 1
            continue
        why = accepting.problem(proposal)
        if why:
            raise UsageRefusal(f"--from line {number}: {why}; nothing written")
        accepted.append(proposal)
        numbers.append(number)
    return accepted, numbers, in_base


def add_from(ctx: typer.Context, file: str, dry_run: bool, output: Output) -> None:
    """kb add --from FILE: the proposals of a jsonl file (or standard input) added in one
    transaction, each line checked as kb add checks a record."""
    from karabakh_cli.curate import accepting
    from karabakh_cli.output import proposals as shown

    path = written_path(ctx)
    accepted, numbers, in_base = _accepted_lines(_read_lines(file))
    if in_base:
        say(f"{in_base} proposal(s) already in the base, left out")
    if not accepted:
        raise UsageRefusal(f"--from: {file}: no proposal to add; nothing written")
    try:
        written = accepting.add_all(path, accepted, dry_run=dry_run)
    except accepting.Refused as refused:
        number = numbers[refused.item - 1]
        raise UsageRefusal(f"--from line {number}: {refused}; nothing written") from None
    except Exception as error:
        from karabakh_cli.curate import writing

        if not isinstance(error, writing.Invalid):
            raise
        problem = error.problems[0].as_loader_line(str(path))
        raise UsageRefusal(f"nothing written: the result would not be valid: {problem}") from None
    for note in written.notes:
        say(note)
    records = [(numbers[item - 1], kind, record) for item, kind, record in written.records]
    summary = accepting.counted(written)
    say(f"dry run: {summary} not written to {path}" if dry_run else f"added {summary} to {path}")
    title = "Would add" if dry_run else f"Added to {path}"
    emit(shown.added_listing(written.facts, title, records), output)


@add_app.callback(invoke_without_command=True)
def add_group(
    ctx: typer.Context,
    from_file: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="FILE|-",
            help="Add the proposals of a jsonl file (- reads standard input), as kb add "
            "quotes writes them, edited or filtered; all in one transaction, or none.",
            show_default=False,
        ),
    ] = None,
    dry_run: DryRunOption = False,
    fmt: FormatOption = None,
    json: JsonOption = False,
) -> None:
    """Add a record, or with --from the proposals of kb add quotes."""
    if ctx.invoked_subcommand is not None:
        if from_file is not None:
            raise UsageRefusal("--from adds proposals by itself; give it without a subcommand")
        return
    if from_file is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(ExitCode.USAGE)
    add_from(ctx, from_file, dry_run, Output(fmt, json))


# kb add's subcommands, in the order kb add --help lists them.
for subcommand in (add_source, add_person, add_quote, add_quotes, add_event, add_term):
    add_app.command(subcommand.name, epilog=subcommand.epilog, help=subcommand.help)(
        subcommand.function
    )
