"""Citations: a title the curator supplied is bracketed, the publisher's own is quoted, alike in
every format and in listings' footers; a curator's note goes with every citation."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from karabakh_cli.base import factbase
from karabakh_cli.lookup import loaded
from tests.conftest import FACTS, Invoke

SUPPLIED = "[Azerbaijan's offensive in Nagorno-Karabakh and the ceasefire of 20 September 2023]"


@pytest.mark.parametrize("fmt", ["plain", "bibtex", "csl-json"])
def test_a_supplied_title_is_cited_in_square_brackets(invoke: Invoke, fmt: str) -> None:
    """A title the curator supplied is cited in square brackets, never quoted as the publisher's."""
    result = invoke("cite", "q-aliyev-destroyed", "--format", fmt)
    assert result.exit_code == 0
    # BibTeX protects the capitals in braces: {Azerbaijan}.
    shown = re.sub(r"\{(\w+)\}", r"\1", result.stdout) if fmt == "bibtex" else result.stdout
    assert SUPPLIED in shown
    assert f"“{SUPPLIED[1:-1]}”" not in shown
    assert "“Too Destroying”" in shown


def test_a_publisher_s_title_is_quoted_as_it_stands(
    invoke: Invoke, base: dict[str, Any], write_base: Callable[..., Path]
) -> None:
    """A source whose title is its own (title_supplied absent) is cited in quotation marks, unbracketed."""
    del base["sources"][0]["title_supplied"]
    path = write_base(base)
    result = invoke("--facts", str(path), "cite", "q-aliyev-destroyed")
    assert result.exit_code == 0
    assert f"Le Monde, “{SUPPLIED[1:-1]}”, 2023-09-21" in result.stdout
    bibtex = invoke("--facts", str(path), "cite", "q-aliyev-destroyed", "--format", "bibtex")
    assert bibtex.exit_code == 0
    protected = (
        "{Azerbaijan}'s offensive in {Nagorno}-{Karabakh} and the ceasefire of 20 {September} 2023"
    )
    assert f"title = {{{protected}}}" in bibtex.stdout


def test_title_supplied_must_be_a_boolean(
    invoke: Invoke, base: dict[str, Any], write_base: Callable[..., Path]
) -> None:
    """A title_supplied that is not true or false makes the base invalid (exit 3), naming the field."""
    base["sources"][0]["title_supplied"] = "yes"
    path = write_base(base)
    result = invoke("--facts", str(path), "cite", "q-aliyev-destroyed")
    assert result.exit_code == 3
    assert "title_supplied" in result.stderr


def test_a_supplied_title_is_bracketed_alike_in_footers_and_citations(invoke: Invoke) -> None:
    """The markdown footer and kb cite write the built-in source's supplied title the same way."""
    facts = loaded.LoadedBase(factbase.load(FACTS), FACTS)
    (source,) = [source for source in facts.content.sources if source.title_supplied]
    footer = invoke("quote", "Putin", "--format", "markdown")
    cited = invoke("cite", "q-putin-mediation")
    assert footer.exit_code == 0
    assert cited.exit_code == 0
    shown = footer.stdout.replace("\\[", "[").replace("\\]", "]")  # Markdown's escapes
    assert f"[{source.title}]" in shown
    assert f"“{source.title}”" not in shown
    assert f"[{source.title}]" in " ".join(cited.stdout.split())


def test_a_citation_carries_the_curators_note_beside_it(invoke: Invoke) -> None:
    """A garbled quote's note reaches whoever cites it: at the end of the sentence, in the
    JSON row, and in BibTeX's postnote and CSL-JSON's suffix."""
    note = "The machine translation garbles this phrase"
    result = invoke("cite", "q-aliyev-destroyed")
    assert result.exit_code == 0
    assert f"Curator's note: {note}" in result.stdout
    # Once, in the sentence: a second copy on stderr would show twice on a terminal.
    assert note not in result.stderr
    result = invoke("cite", "q-aliyev-destroyed", "--json")
    assert result.exit_code == 0
    assert note in json.loads(result.stdout)[0]["note"]
    for fmt in ("bibtex", "csl-json"):
        result = invoke("cite", "q-aliyev-destroyed", "--format", fmt)
        assert result.exit_code == 0
        assert f"Curator's note: {note}" in result.stdout
        assert note not in result.stderr
