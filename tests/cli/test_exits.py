"""Lists written out for Typer and mypy agree with the one they follow: exit codes, formats."""

from __future__ import annotations

import re

from karabakh_cli.cli.exits import ExitCode
from tests.conftest import REPO, Invoke


def readme_exit_codes() -> str:
    """The README's paragraph on exit codes."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"^- \*\*Exit codes\*\*:(.*?)(?=^- \*\*)", text, re.MULTILINE | re.DOTALL)
    assert found is not None
    return found.group(1)


def test_readme_documents_exactly_the_exit_codes() -> None:
    """Every code in the README's exit-code paragraph is an ExitCode, and every ExitCode is there."""
    documented = {int(code) for code in re.findall(r"`(\d+)`", readme_exit_codes())}
    assert documented == {int(code) for code in ExitCode}


def test_help_lists_every_exit_code_with_its_meaning(invoke: Invoke) -> None:
    """kb --help states each code and its meaning, in order."""
    result = invoke("--help")
    assert result.exit_code == 0
    help_text = " ".join(result.stdout.split())
    expected = "; ".join(f"{code.value} {code.meaning}" for code in ExitCode)
    assert f"Exit codes: {expected}." in help_text


def test_cite_formats_are_the_listing_formats_and_two_more() -> None:
    """kb cite offers every listing format, in the same order, then csl-json and bibtex."""
    from karabakh_cli.cli.lookups import CiteFormat
    from karabakh_cli.output.render import Format

    assert [form.value for form in CiteFormat] == [
        *(form.value for form in Format),
        "csl-json",
        "bibtex",
    ]
