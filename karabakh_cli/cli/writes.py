"""The commands that write: kb init and kb fmt, and kb diff beside them (kb add is in
cli_add.py). Their core is in writing.py (locked, checked, atomic writes), canonical.py (the
canonical layout) and diffing.py (what changed).
"""

# No ``from __future__ import annotations`` here: Typer reads these signatures on every run,
# and real annotation objects spare it evaluating each string again.
from pathlib import Path
from typing import Annotated

import typer

from karabakh_cli.base import factbase
from karabakh_cli.cli.exits import ExitCode, described
from karabakh_cli.cli.shared import (
    FormatOption,
    JsonOption,
    Output,
    UsageRefusal,
    command,
    emit,
    say,
)
from karabakh_cli.output import views


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
