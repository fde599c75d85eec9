"""kb export: the fact base as a data product for other programs. ``kb export sqlite`` writes
an SQLite database and its Datasette metadata (the core is output/export.py).

Imported only when a command line names ``export`` (app.KbGroup), so lookups never pay for it.
"""

# No ``from __future__ import annotations`` here: Typer reads these signatures on every run,
# and real annotation objects spare it evaluating each string again.
import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from karabakh_cli.cli.exits import ExitCode, described
from karabakh_cli.cli.shared import Group, command, facts_path, load, say
from karabakh_cli.output import render

export_app = typer.Typer(
    cls=Group,
    name="export",
    help="Export the fact base for other programs: kb export sqlite OUT.db.",
    no_args_is_help=True,
)


def _writable(param: typer.CallbackParam, path: Path | None) -> Path | None:
    """Refuse a file that cannot be written while parsing, before the base is read."""
    problem = render.check_writable(path) if path else None
    if problem:
        raise typer.BadParameter(f"cannot write {path}: {problem}", param_hint=f"'{param.name}'")
    return path


@command(
    "kb export sqlite karabakh.db",
    "kb --facts mine.json export sqlite mine.db --license 'CC BY 4.0'",
    exit_codes=described(
        (ExitCode.FOUND, ExitCode.USAGE, ExitCode.FACT_BASE, ExitCode.INTERRUPTED),
        FOUND="written",
        FACT_BASE="the fact base cannot be read or is invalid, or OUT cannot be written",
    ),
)
def sqlite(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Argument(
            metavar="OUT.db",
            help="The database to write (replaced whole if it exists).",
            dir_okay=False,
            callback=_writable,
            show_default=False,
        ),
    ],
    metadata: Annotated[
        Path | None,
        typer.Option(
            "--metadata",
            help="Where to write Datasette's metadata (default: OUT.metadata.json beside OUT).",
            dir_okay=False,
            callback=_writable,
            show_default=False,
        ),
    ] = None,
    license_name: Annotated[
        str | None,
        typer.Option(
            "--license",
            help="The data's licence, for the metadata (kb cannot know it: none by default).",
            show_default=False,
        ),
    ] = None,
    license_url: Annotated[
        str | None,
        typer.Option("--license-url", help="Where the licence is written.", show_default=False),
    ] = None,
) -> None:
    """Write the fact base as an SQLite database for Datasette and sqlite-utils.

    One table per kind of record with typed columns, link tables for contradicts, responds_to
    and actors, foreign keys, full-text search on quotes, terms and events, a view of every
    quote with its speaker and source, and a metadata file describing every column.
    """
    from karabakh_cli.output import export

    facts = load(ctx)
    path = facts_path(ctx)
    described_at = metadata or out.with_name(f"{out.stem}.metadata.json")
    try:
        written = export.write(
            facts.content,
            out,
            described_at,
            title=f"kb fact base: {path.name}",
            license_name=license_name,
            license_url=license_url,
        )
    except (OSError, sqlite3.Error) as error:
        reason = getattr(error, "strerror", None) or str(error)
        say(f"cannot write {out}: {reason}")
        raise typer.Exit(ExitCode.FACT_BASE) from None
    counts = ", ".join(f"{count} {table}" for table, count in written.rows.items())
    say(f"wrote {written.database} ({counts}) and {written.metadata}")
    say(f"browse it: datasette {written.database} -m {written.metadata}")


export_app.command(sqlite.name or "sqlite", epilog=sqlite.epilog, help=sqlite.help)(sqlite.function)
