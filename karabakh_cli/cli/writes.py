"""The commands that write: kb init, kb fmt, kb edit and kb remove, and kb diff beside them
(kb add is in add.py). Their core is in writing.py (locked, checked, atomic writes), editing.py
(changed and removed records), canonical.py (the canonical layout) and diffing.py (what changed).
"""

# No ``from __future__ import annotations`` here: Typer reads these signatures on every run,
# and real annotation objects spare it evaluating each string again.
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
import typer

from karabakh_cli.base import factbase
from karabakh_cli.cli.exits import ExitCode, described
from karabakh_cli.cli.shared import (
    FormatOption,
    JsonOption,
    Output,
    UsageRefusal,
    command,
    complete_ids,
    emit,
    say,
    written_path,
)
from karabakh_cli.model import DATE_EXAMPLES, PERSON_KINDS, TRANSLATION_KINDS
from karabakh_cli.output import views
from karabakh_cli.text import listed

if TYPE_CHECKING:
    from karabakh_cli.curate import editing


@command(
    "kb init my-base/facts.json",
    "kb init my-base",
    exit_codes=described(
        (ExitCode.FOUND, ExitCode.USAGE, ExitCode.FACT_BASE, ExitCode.INTERRUPTED),
        FOUND="created",
        USAGE="PATH exists (nothing is written), or a usage error",
        FACT_BASE="PATH cannot be written",
    ),
    reads_facts=False,
)
def init(
    path: Annotated[
        Path,
        typer.Argument(
            help="The fact base file to create (name.json), or a folder to create facts.json in."
        ),
    ],
) -> None:
    """Create a new, empty, valid fact base and its sources/ folder; never overwrites a file."""
    from karabakh_cli.curate import adding

    try:
        target = adding.create_base(path)
    except adding.Refused as refused:
        raise UsageRefusal(str(refused)) from None
    say(f"created {target}; add records with: kb --facts {target} add ...")


@command(
    "kb fmt facts.json",
    "kb fmt --check facts.json  # in CI or pre-commit",
    exit_codes=described(
        FOUND="every file is (now) canonical",
        NOT_FOUND="--check found a file that is not",
        FACT_BASE="a file cannot be read, is not a valid fact base, or cannot be written",
    ),
    name="fmt",
    reads_facts=False,
)
def fmt_command(
    files: Annotated[list[Path], typer.Argument(help="Fact base files.", show_default=False)],
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 if a file is not canonical.")
    ] = False,
) -> None:
    """Rewrite fact bases in kb's canonical layout: the model's key order, 2-space indent,
    non-ASCII text as it is. Each must be structurally valid (no unknown keys).
    """
    from karabakh_cli.curate import writing

    changed = [file for file in files if writing.reformat(file, check_only=check)]
    for file in changed:
        say(
            f"{file} is not in kb's canonical layout; run: kb fmt {file}"
            if check
            else f"reformatted {file}"
        )
    if not changed:
        say(f"{len(files)} file(s) already canonical")
    if check and changed:
        raise typer.Exit(ExitCode.NOT_FOUND)


@command(
    "kb diff old-facts.json facts.json",
    "kb diff --rev HEAD facts.json --format markdown",
    exit_codes=described(FOUND="no differences", NOT_FOUND="differences found, as diff says"),
    name="diff",
    reads_facts=False,
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
    """The records added, removed, moved and changed, field by field, from OLD to NEW."""
    from karabakh_cli.base import canonical
    from karabakh_cli.curate import diffing

    if (rev is None) == (new is None):
        raise UsageRefusal("give two fact bases, OLD NEW, or one with --rev REVISION")
    if rev is not None:
        try:
            before = diffing.at_revision(old, rev)
        except diffing.RevisionError as error:
            raise UsageRefusal(f"--rev: {error}") from None
        old_label, new_path = f"{old}@{rev}", old
    else:
        assert new is not None
        before, old_label, new_path = factbase.read(old), str(old), new
    found = diffing.differences(
        canonical.structure(before, old_label),
        canonical.structure(factbase.read(new_path), str(new_path)),
    )
    listing = views.differences_listing(old_label, str(new_path), found)
    emit(listing, Output(fmt, json), empty_is_nothing_found=False)
    if not found:
        say(f"no differences between {old_label} and {new_path}")
    raise typer.Exit(ExitCode.NOT_FOUND if found else ExitCode.FOUND)


def refused_write(
    error: Exception, record_id: str | None = None, nothing: str = "nothing written"
) -> UsageRefusal:
    """A refused write as one line in the curator's words: the option at fault, or the id and
    field of another record the write would break; never the file's internal path to it.
    ``record_id`` is the record written, whose fields are the options given."""
    from karabakh_cli.curate import adding, editing, writing

    if isinstance(error, writing.Invalid):
        problem = error.problems[0]
        if record_id is not None and problem.record_id == record_id and problem.field:
            where = editing.option_of(problem.field)
        else:
            where = problem.where(with_index=False)
        return UsageRefusal(f"{where + ': ' if where else ''}{problem.message}; {nothing}")
    where = f"{error.option}: " if isinstance(error, adding.Refused) and error.option else ""
    return UsageRefusal(f"{where}{error}; {nothing}")


def _changes_shown(outcome: "editing.Outcome", done: str, dry_run: bool, output: Output) -> None:
    """Say what an edit or a removal did (or would do), and list the changes, field by field."""
    for note in outcome.notes:
        say(note)
    what = f"{outcome.kind} {outcome.record_id}"
    where = "from" if done == "removed" else "in"
    if not outcome.differences:
        say(f"{what} already has these values; nothing written to {outcome.path}")
    elif dry_run:
        say(f"dry run: {what} not {done} {where} {outcome.path}")
    else:
        say(f"{done} {what} {where} {outcome.path}")
    listing = views.differences_listing(str(outcome.path), str(outcome.path), outcome.differences)
    title = f"Changes {'a dry run would make' if dry_run else 'made'} to {outcome.path}"
    emit(msgspec.structs.replace(listing, title=title), output, empty_is_nothing_found=False)


def _write_exits(refused: str) -> str:
    return described(
        (ExitCode.FOUND, ExitCode.USAGE, ExitCode.FACT_BASE, ExitCode.INTERRUPTED),
        FOUND="done (or shown, with --dry-run)",
        USAGE=f"refused, nothing written: {refused}",
    )


RecordIdArgument = Annotated[
    str,
    typer.Argument(
        metavar="ID", help="The record's id, as kb show takes it.", autocompletion=complete_ids
    ),
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
]


def _text_option(flag: str, help_text: str, panel: str) -> Any:
    return typer.Option(flag, help=help_text, show_default=False, rich_help_panel=panel)


_ANY = "Fields of several kinds"
_SOURCE, _PERSON, _QUOTE, _TERM = "Sources", "People", "Quotes", "Terms"
Values = list[str] | None


@command(
    'kb --facts my.json edit ivana-testova --alias Testova --alias "Mrs Testova" --dry-run',
    "kb --facts my.json edit src-a --text corrected.txt",
    exit_codes=_write_exits(
        "no record has the ID, its kind has no such field, or the result would not be valid"
    ),
)
def edit(
    ctx: typer.Context,
    record_id: RecordIdArgument,
    text: Annotated[
        str | None,
        _text_option(
            "--text",
            "A quote's or term's words, verbatim; an event's summary; for a source, a file of "
            "its corrected text, archived again with a new SHA-256.",
            _ANY,
        ),
    ] = None,
    date: Annotated[
        str | None, _text_option("--date", f"{DATE_EXAMPLES}; a trailing ? if unsure.", _ANY)
    ] = None,
    place: Annotated[
        str | None, _text_option("--place", "Where a quote was said or an event happened.", _ANY)
    ] = None,
    source: Annotated[
        str | None, _text_option("--source", "The id of the source it comes from.", _ANY)
    ] = None,
    excerpt: Annotated[
        str | None,
        _text_option(
            "--excerpt",
            "The passage of the source it stands in; kept while it holds the text, else "
            "found in the archive as kb add finds it.",
            _ANY,
        ),
    ] = None,
    note: Annotated[str | None, _text_option("--note", "A curator's note.", _ANY)] = None,
    actor: Annotated[
        Values,
        _text_option(
            "--actor", "Who acts in a term or event, by name or id (repeat for each).", _ANY
        ),
    ] = None,
    title: Annotated[str | None, _text_option("--title", "The title.", _SOURCE)] = None,
    title_supplied: Annotated[
        bool | None,
        typer.Option(
            "--title-supplied/--title-printed",
            help="The title is your description of an untitled document, or the document's own.",
            show_default=False,
            rich_help_panel=_SOURCE,
        ),
    ] = None,
    publisher: Annotated[
        str | None, _text_option("--publisher", "Who published it.", _SOURCE)
    ] = None,
    language: Annotated[
        str | None, _text_option("--language", "The text's language, e.g. en, fr.", _SOURCE)
    ] = None,
    translated_from: Annotated[
        str | None,
        _text_option("--translated-from", "The language of the original it translates.", _SOURCE),
    ] = None,
    translation: Annotated[
        str | None,
        _text_option(
            "--translation", f"Who translated it: {listed(TRANSLATION_KINDS, 'or')}.", _SOURCE
        ),
    ] = None,
    url: Annotated[str | None, _text_option("--url", "Where it was published.", _SOURCE)] = None,
    name: Annotated[
        str | None, _text_option("--name", "The name as usually written.", _PERSON)
    ] = None,
    kind: Annotated[
        str | None, _text_option("--kind", f"{listed(PERSON_KINDS, 'or')}.", _PERSON)
    ] = None,
    role: Annotated[str | None, _text_option("--role", "What they are.", _PERSON)] = None,
    alias: Annotated[
        Values,
        _text_option(
            "--alias", "Another spelling of the name (repeat for each; replaces them all).", _PERSON
        ),
    ] = None,
    speaker: Annotated[
        str | None, _text_option("--speaker", "Who said it: a name or an id.", _QUOTE)
    ] = None,
    medium: Annotated[
        str | None, _text_option("--medium", "How: televised speech, interview...", _QUOTE)
    ] = None,
    contradicts: Annotated[
        Values,
        _text_option(
            "--contradicts", "The ids of quotes it contradicts (repeat for each).", _QUOTE
        ),
    ] = None,
    responds_to: Annotated[
        Values,
        _text_option(
            "--responds-to", "The ids of quotes it responds to (repeat for each).", _QUOTE
        ),
    ] = None,
    attribution: Annotated[
        str | None,
        _text_option(
            "--attribution", "stated (the excerpt names the speaker) or inferred.", _QUOTE
        ),
    ] = None,
    form: Annotated[
        str | None,
        _text_option(
            "--form", "direct, or fragment (quoted inside the source's reported speech).", _QUOTE
        ),
    ] = None,
    quoted: Annotated[
        bool | None,
        typer.Option(
            "--quoted/--not-quoted",
            help="The source prints the term in quotation marks, or not.",
            show_default=False,
            rich_help_panel=_TERM,
        ),
    ] = None,
    dry_run: DryRunOption = False,
    fmt: FormatOption = None,
    json: JsonOption = False,
) -> None:
    """Change fields of a record, checked as kb add checks a new one: a changed text
    against the source's archive, the whole base as kb validate checks it. Repeated options
    (--alias, --actor...) replace the list; an empty value clears an optional field.
    """
    from karabakh_cli.curate import adding, editing, writing

    path = written_path(ctx)
    given: dict[str, editing.Given | None] = {
        "--text": text, "--date": date, "--place": place, "--source": source,
        "--excerpt": excerpt, "--note": note, "--actor": actor, "--title": title,
        "--title-supplied": title_supplied, "--publisher": publisher, "--language": language,
        "--translated-from": translated_from, "--translation": translation, "--url": url,
        "--name": name, "--kind": kind, "--role": role, "--alias": alias,
        "--speaker": speaker, "--medium": medium, "--contradicts": contradicts,
        "--responds-to": responds_to, "--attribution": attribution, "--form": form,
        "--quoted": quoted,
    }  # fmt: skip
    changes = {option: value for option, value in given.items() if value is not None}
    while True:
        try:
            outcome = editing.edit(path, record_id, changes, dry_run=dry_run)
            break
        except adding.Missing as missing:
            if missing.option in changes or not sys.stdin.isatty():
                raise UsageRefusal(f"missing {missing.option}: {missing}") from None
            say(str(missing))
            changes[missing.option] = typer.prompt(
                missing.option.lstrip("-").capitalize(), err=True
            )
        except (adding.Refused, writing.Invalid) as error:
            raise refused_write(error, record_id.lower()) from None
    _changes_shown(outcome, "changed", dry_run, Output(fmt, json))


@command(
    "kb --facts my.json remove q-kerbel-nothing-settled --dry-run",
    "kb --facts my.json remove anton-kerbel --unlink",
    exit_codes=_write_exits("no record has the ID, or other records still name it"),
)
def remove(
    ctx: typer.Context,
    record_id: RecordIdArgument,
    unlink: Annotated[
        bool,
        typer.Option(
            "--unlink",
            help="Drop the id from the lists naming it (actors, contradicts, responds_to) "
            "rather than refuse.",
        ),
    ] = False,
    dry_run: DryRunOption = False,
    fmt: FormatOption = None,
    json: JsonOption = False,
) -> None:
    """Remove a record, unless other records name it: kb lists them. A removed source's
    archived text goes too, unless another source records the same file."""
    from karabakh_cli.curate import adding, editing, writing

    path = written_path(ctx)
    try:
        outcome = editing.remove(path, record_id, unlink=unlink, dry_run=dry_run)
    except (adding.Refused, writing.Invalid) as error:
        raise refused_write(error, nothing="nothing removed") from None
    _changes_shown(outcome, "removed", dry_run, Output(fmt, json))
