"""The README documents each listing command's plain column order, as the columns define it."""

from __future__ import annotations

import re

import pytest
import typer.main

from karabakh_cli.cli.app import app
from tests.conftest import REPO, Invoke

# An argument each command that needs one finds something with in the built-in base.
SAMPLE_ARGUMENTS = {
    "quote": ["Putin"],
    "search": ["talks"],
    "who-said": ["the Russians will not participate"],
    "show": ["q-putin-mediation"],
    "cite": ["q-putin-mediation"],
    "check": [str(REPO / "tests" / "data" / "check" / "right.md")],
}
# Shown in the README for a command whose plain output is one line per field.
FIELD_BY_FIELD = "one `Field<TAB>value` line per field"


def listing_commands() -> list[str]:
    """Every listing command (the ones with --html, a shared output option), read from the app."""
    group = typer.main.get_group(app)
    # Through get_command, as a command line reaches them: some are built only when named.
    commands = {name: group.get_command(None, name) for name in group.list_commands(None)}
    return sorted(
        name
        for name, command in commands.items()
        if any("--html" in param.opts for param in command.params)
    )


def documented() -> dict[str, str]:
    """The table of plain columns the README links to: command -> its columns as written there."""
    text = (REPO / "docs" / "output.md").read_text(encoding="utf-8")
    section = text.split("## Plain output columns", 1)[1].split("\n#", 1)[0]
    return dict(re.findall(r"^\| `kb ([a-z-]+)` \| (.+?) \|$", section, re.M))


@pytest.mark.parametrize("command", listing_commands())
def test_the_readme_lists_each_command_s_plain_columns_in_order(
    invoke: Invoke, command: str
) -> None:
    """The README row for each listing command names its plain columns in their order: as
    many as a plain line has, and the headers of its markdown output (which leaves out a
    column empty in every row) among them in the same order."""
    result = invoke(command, *SAMPLE_ARGUMENTS.get(command, []), "-f", "markdown")
    assert result.exit_code == 0, result.stderr
    headers = [cell.strip() for cell in result.stdout.splitlines()[0].strip("|").split("|")]
    if headers == ["Field", "Value"]:
        assert documented().get(command) == FIELD_BY_FIELD
        return
    columns = documented()[command].split(", ")
    # A column added after plain's order was fixed is shown to people only (Column.plain).
    assert [column for column in columns if column in headers] == [
        header for header in headers if header in columns
    ]
    plain = invoke(command, *SAMPLE_ARGUMENTS.get(command, []), "-f", "plain")
    assert plain.stdout.splitlines()[0].count("\t") + 1 == len(columns)


def test_the_readme_documents_no_command_that_does_not_list() -> None:
    """Every command in the README's table of plain columns is a listing command."""
    assert sorted(documented()) == listing_commands()
