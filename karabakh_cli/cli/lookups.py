"""The lookup commands: quote, terms, timeline, search, who-said, people, show, sources,
disputes, cite, validate and schema. Each parses its options, calls the core (queries, views,
factbase) and hands the result on: a listing command returns its listing for cli_app's emit
to write; cite, validate and schema hand their own formats (BibTeX, CSL-JSON, check lines,
the schema) to render's writers.
"""

# No ``from __future__ import annotations`` here: Typer reads these signatures on every run,
# and real annotation objects spare it evaluating each string again.
import enum
import sys
from pathlib import Path
from typing import Annotated

import msgspec
import typer

from karabakh_cli.base import factbase
from karabakh_cli.base.problems import summary
from karabakh_cli.cli.exits import ExitCode, described
from karabakh_cli.cli.shared import (
    SEARCH_LIMIT,
    FormatOption,
    HtmlOption,
    JsonOption,
    Output,
    PlaceOption,
    SinceOption,
    SvgOption,
    UntilOption,
    command,
    complete_ids,
    complete_speakers,
    emit,
    facts_path,
    filters_of,
    load,
    non_empty,
    phrase,
    record_shown,
    say,
)
from karabakh_cli.index import loading, location, needs
from karabakh_cli.lookup import attribution, finding, queries
from karabakh_cli.model import (
    SEARCHED_KINDS,
    CitableRecord,
    RecordKind,
)
from karabakh_cli.output import render, views
from karabakh_cli.output.render import Format
from karabakh_cli.text import visible


@command("kb quote Putin", "kb quote Vladimir Putin --since 2023-09", "kb quote aliev --json")
def quote(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="NAME...",
            help="Speaker's name, any spelling: surname, first name, typos; no quotes needed.",
            callback=non_empty,
            autocompletion=complete_speakers,
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
) -> None:
    """A speaker's quotes, in date order."""
    name = phrase(words)
    filters = filters_of(since, until, place)
    facts = load(ctx, needs.ByName(name))
    found = queries.quotes_by(facts, name, filters)
    for note in found.notes(name, filtered=filters.given):
        say(note)
    emit(views.quotes_listing(facts, found.title, found.quotes), Output(fmt, json, svg, html))


@command(
    "kb quotes --since 2023-09-20 --until 2023-09-21",
    "kb quotes --speaker aliyev --format csv",
)
def quotes(
    ctx: typer.Context,
    speaker: Annotated[
        str | None,
        typer.Option(
            "--speaker",
            metavar="NAME",
            help="Only this speaker's quotes, matched as kb quote matches a name.",
            autocompletion=complete_speakers,
            show_default=False,
        ),
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    place: PlaceOption = None,
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
) -> None:
    """Every quote of the base, in date order, or every quote of one speaker (--speaker)."""
    filters = filters_of(since, until, place)
    if speaker is not None and speaker.strip():
        facts = load(ctx, needs.ByName(speaker))
        found = queries.quotes_by(facts, speaker, filters)
        notes, title, chosen = (
            found.notes(speaker, filtered=filters.given),
            found.title,
            found.quotes,
        )
    else:
        facts = load(ctx, needs.WholeCollection("quotes"))
        chosen = queries.every_quote(facts, filters)
        notes, title = queries.every_quote_notes(chosen, filters), "Quotes"
    for note in notes:
        say(note)
    emit(views.quotes_listing(facts, title, chosen), Output(fmt, json, svg, html))


@command("kb terms", "kb terms --format markdown")
def terms(
    ctx: typer.Context,
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
) -> None:
    """The ceasefire's terms, numbered in the document's order, with their source."""
    emit(
        views.terms_listing(load(ctx, needs.WholeCollection("terms"))),
        Output(fmt, json, svg, html),
        nothing="the fact base holds no terms",
    )


@command("kb timeline", "kb timeline --since 2023-09-20 --json")
def timeline(
    ctx: typer.Context,
    since: SinceOption = None,
    until: UntilOption = None,
    place: PlaceOption = None,
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
) -> None:
    """What happened, in date order; a date known only to the month or year comes after the
    days it may hold."""
    filters = filters_of(since, until, place)
    facts = load(ctx, needs.WholeCollection("events"))
    events = queries.timeline(facts, filters)
    for note in queries.timeline_notes(events, filters):
        say(note)
    emit(views.timeline_listing(facts, events), Output(fmt, json, svg, html))


class Kind(str, enum.Enum):
    """The kinds kb search looks in: model.SEARCHED_KINDS, spelled out for Typer and mypy
    (tests/test_model.py checks that the two agree)."""

    quote = "quote"
    term = "term"
    event = "event"
    person = "person"


@command("kb search peacekeepers", "kb search Yevlakh talks --kind event --json")
def search(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="WORDS...",
            help="Words to look for, in any order; typos are forgiven; no quotes needed.",
            callback=non_empty,
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
) -> None:
    """Search quotes, terms, events and people, best match first."""
    text = phrase(words)
    filters = filters_of(since, until)
    kinds: list[RecordKind] = [k.value for k in kind] if kind else list(SEARCHED_KINDS)
    facts = load(ctx, needs.ByWords(text, tuple(kinds), filters, limit or None))
    hits, total = queries.search(facts, text, kinds, filters, limit or None)
    for note in queries.search_notes(text, len(hits), total):
        say(note)
    emit(views.search_listing(facts, text, hits), Output(fmt, json, svg, html))


@command(
    "kb who-said the Russians will not participate",
    "kb who-said no celebration --json",
    name="who-said",
    exit_codes=described(
        NOT_FOUND=f"no quote scores at least {attribution.WHO_SAID_THRESHOLD} or stands whole in "
        "the question: kb refuses to guess, and shows the closest, saying it is not a match"
    ),
)
def who_said(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="FRAGMENT...",
            help="A half-remembered or paraphrased piece of a quote; no quotes needed.",
            callback=non_empty,
            show_default=False,
        ),
    ],
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
) -> None:
    """Which quote a fragment comes from, and how the words differ from it.

    Each answer is verbatim, altered (with the words changed) or the whole quote inside the
    question; "Putin said ..." also says whether they are his words.
    """
    # Imported by the command that needs it: every other command's start-up does without.

    # Imported by the command that needs it: every other command's start-up does without.
    from karabakh_cli.lookup import answers

    question = phrase(words)
    filters = filters_of(since, until)
    asked = answers.asked(question)
    # With dates to filter by, the nearest misses are among the quotes of those dates only,
    # which the index does not preselect: those lookups read the whole base.
    wanted = None if since or until else needs.ByFragment(asked.words, asked.speaker)
    facts = load(ctx, wanted)
    named = answers.named_speaker(asked.speaker, facts.content.people) if asked.speaker else None
    if named is not None and not named.people:
        # Nobody of that name ("The agreement said ..."): the words may be the whole question.
        named = None if asked.by_colon else named
        asked = answers.Asked(question)
        facts = load(ctx, None if since or until else needs.ByFragment(question))
    outcome = queries.who_said(facts, asked.words, filters)
    judged = answers.verdicts(asked.words, outcome.found)
    if outcome.found and not judged:
        outcome = queries.Attribution([], outcome.found[0])
    refusal = queries.refusal(facts, asked.words, outcome)
    if refusal:
        say(refusal)
    if named is not None and not named.people:
        say(answers.speaker_note(named, judged, {}))
    elif named is not None and judged:
        names = {person.id: person.name for person in facts.content.people}
        say(answers.speaker_note(named, judged, names))
    emit(views.who_said_listing(facts, question, judged, named), Output(fmt, json, svg, html))


@command("kb people", "kb people --format csv")
def people(
    ctx: typer.Context,
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
) -> None:
    """Everyone in the fact base, with how many quotes, terms and events involve them."""
    emit(
        views.people_listing(load(ctx, needs.Everyone())),
        Output(fmt, json, svg, html),
        nothing="the fact base holds no people",
    )


@command("kb show q-putin-mediation", "kb show e-ceasefire-signed --json")
def show(
    ctx: typer.Context,
    record_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="A record id, as other commands print it.",
            autocompletion=complete_ids,
        ),
    ],
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
) -> None:
    """One record in full, with its source, and the quote marked in the sentences around it
    in the source's archived text (or in its excerpt, where there is no archive)."""
    facts = load(ctx, needs.ById(record_id))
    found = finding.find_record(facts, record_id)
    if found is None:
        say(finding.missing_id_note(facts, record_id))
        emit(views.Listing("", [], []), Output(fmt, json, svg, html))
        return
    emit(record_shown(facts, *found), Output(fmt, json, svg, html))


@command("kb sources", "kb --facts my-facts.json sources --json")
def sources(
    ctx: typer.Context,
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
) -> None:
    """The sources, what each contributes, and (in the title) which fact base file is in use."""
    facts = load(ctx)
    emit(
        views.sources_listing(facts),
        Output(fmt, json, svg, html),
        nothing="the fact base holds no sources",
    )


@command("kb disputes", "kb disputes --json")
def disputes(
    ctx: typer.Context,
    fmt: FormatOption = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
) -> None:
    """Pairs of quotes that contradict or respond to each other, as curated from the sources."""
    facts = load(ctx, needs.Disputes())
    found = queries.disputes(facts)
    for note in queries.disputes_notes(found):
        say(note)
    emit(views.disputes_listing(facts, found), Output(fmt, json, svg, html))


class CiteFormat(str, enum.Enum):
    """render.Format's listing formats, and the two that reference managers read (spelled out
    for Typer and mypy; tests/cli/test_exits.py checks the listing formats match)."""

    table = "table"
    plain = "plain"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    markdown = "markdown"
    csl_json = "csl-json"
    bibtex = "bibtex"


@command(
    "kb cite q-putin-mediation",
    "kb cite q-putin-mediation q-aliyev-sovereignty --format bibtex",
)
def cite(
    ctx: typer.Context,
    record_ids: Annotated[
        list[str],
        typer.Argument(
            metavar="ID...",
            help="Quote, term or event ids: each is cited, its source listed once.",
            autocompletion=complete_ids,
        ),
    ],
    fmt: Annotated[
        CiteFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="csl-json (Zotero, pandoc), bibtex, or a listing format: table, plain, json, "
            "jsonl, csv or markdown (default: table on a terminal, plain in a pipe).",
            show_default=False,
        ),
    ] = None,
    json: JsonOption = False,
    svg: SvgOption = None,
    html: HtmlOption = None,
) -> None:
    """A ready citation of a quote, term or event: who, how, when, and where it was reported.

    On a terminal it is the bare sentence, ready to copy; --format table draws it in a box.
    """
    from karabakh_cli.output import citation

    facts = load(ctx)
    cited: list[tuple[RecordKind, CitableRecord]] = []
    for record_id in dict.fromkeys(record_ids):
        kind, record = finding.find_record(facts, record_id) or (None, None)
        if not isinstance(record, CitableRecord) or kind is None:
            # Nothing is written for the others either: a bibliography missing one entry
            # would pass unnoticed in a script.
            say(finding.uncitable_note(facts, record_id, kind))
            emit(views.Listing("", [], []), Output(json=json or fmt is CiteFormat.json))
            return
        cited.append((kind, record))
    records = [record for _, record in cited]
    if fmt is CiteFormat.bibtex:
        render.write_text(citation.bibtex_of(facts, records), sys.stdout)
    elif fmt is CiteFormat.csl_json:
        render.write_json(citation.csl_json_of(facts, records), sys.stdout)
    else:
        # A person copies a citation from the terminal: the bare sentence, no box around it.
        chosen = Format(fmt.value) if fmt else None if json else Format.plain
        emit(views.citation_listing(facts, cited), Output(chosen, json, svg, html))


@command(
    "kb validate facts.json",
    "kb validate facts.json --json",
    exit_codes=described(
        FOUND="no errors (warnings allowed)", NOT_FOUND="errors found, each on stdout"
    ),
)
def validate(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(help="Fact base to check (default: the one in use).", show_default=False),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Findings as a JSON array.")] = False,
) -> None:
    """Check a fact base and report every problem as PATH:LINE:COL: record.field: what.

    Each source's archived text is checked against its SHA-256, and every excerpt against
    that text.
    """
    target = path or facts_path(ctx)

    from karabakh_cli.lookup import credit_checks

    problems = factbase.diagnose_file(target, [credit_checks.CreditChecker()])
    if json:
        render.write_json(
            [{"file": str(target), **msgspec.structs.asdict(problem)} for problem in problems],
            sys.stdout,
        )
    else:
        render.write_text(
            "".join(visible(problem.as_validate_line(str(target))) + "\n" for problem in problems),
            sys.stdout,
        )
    say(summary(str(target), problems))
    if any(problem.severity == "error" for problem in problems):
        raise typer.Exit(ExitCode.NOT_FOUND)


@command("kb schema > facts.schema.json", "kb schema | jq '.$defs | keys'", reads_facts=False)
def schema() -> None:
    """The JSON Schema of the fact base, generated from the model kb loads it with."""
    from typing import get_args

    from karabakh_cli.model import FactBase

    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        # A name, not an address: kb publishes the schema with itself, at no URL of its own.
        "$id": f"urn:karabakh-cli:fact-base:{get_args(FactBase.__annotations__['schema_version'])[0]}",
        "title": "kb fact base",
        **msgspec.json.schema(FactBase),
    }
    render.write_json(document, sys.stdout)


# kb index: where a large base's derived index is, what it covers; --clear removes it.
@command(
    "kb --facts big.json index",
    "kb --facts big.json index --clear",
    exit_codes=described(
        FOUND="there is an index (or --clear removed one)",
        NOT_FOUND="there is none: the base is small, or the cache cannot be written",
    ),
    name="index",
)
def index_command(
    ctx: typer.Context,
    clear: Annotated[
        bool, typer.Option("--clear", help="Remove the index; the next lookup builds it again.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """The derived index of the fact base: where it is kept, what it covers and its size.

    kb builds it on the first lookup in a base of 1 MiB or more, in the user's cache folder,
    and rebuilds it whenever the base changes; a smaller base is read whole, with no index.
    """
    path = facts_path(ctx)
    output = Output(None if json else Format.plain, json)
    if clear:
        removed = location.clear(path)
        say(f"removed {removed}" if removed else f"no index for {path}")
        if json:
            listing = views.index_removed_listing(str(removed) if removed else None)
            emit(listing, output, empty_is_nothing_found=False)
        raise typer.Exit(ExitCode.FOUND if removed else ExitCode.NOT_FOUND)
    found = loading.describe(path)
    if isinstance(found, loading.Unindexed) and found.buildable:
        unwritable: list[str] = []
        loading.build(path, render.progress, unwritable.append)
        found = loading.Unindexed(unwritable[0]) if unwritable else loading.describe(path)
    if isinstance(found, loading.Unindexed):
        say(f"no index for {path}: {found.reason}")
        if json:
            # A script's `kb index --json | jq` reads JSON either way, as from any listing.
            emit(views.index_listing(None), output, empty_is_nothing_found=False)
        raise typer.Exit(ExitCode.NOT_FOUND)
    emit(views.index_listing(found), output)
