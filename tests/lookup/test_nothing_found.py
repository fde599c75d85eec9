"""What nothing found means, said by the core: notes, filters and completions (review item 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from karabakh_cli.base import factbase
from karabakh_cli.lookup import queries
from tests.conftest import FACTS, Invoke


def test_timeline_of_an_empty_base_says_it_records_no_events(
    invoke: Invoke, tmp_path: Path
) -> None:
    """With no filter, an empty timeline is the base's, not the filters': it says so."""
    assert invoke("init", str(tmp_path)).exit_code == 0
    result = invoke("--facts", str(tmp_path / "facts.json"), "timeline")
    assert result.exit_code == 1
    assert "the fact base records no events" in result.stderr
    assert "filters" not in result.stderr


def test_timeline_with_a_filter_matching_nothing_blames_the_filters(invoke: Invoke) -> None:
    """A filter that lets no event through says the filters matched nothing."""
    result = invoke("timeline", "--place", "Reykjavik")
    assert result.exit_code == 1
    assert "no events match these filters" in result.stderr


@pytest.mark.parametrize(
    ("since", "until", "place", "given"),
    [(None, None, None, False), ("2023", None, None, True), (None, None, "Baku", True)],
)
def test_filters_know_whether_any_was_given(
    since: str | None, until: str | None, place: str | None, given: bool
) -> None:
    """Filters.given is true exactly when --since, --until or --place was given."""
    assert queries.Filters.of(since, until, place).given is given


@pytest.mark.parametrize(("since", "until"), [("2023-10", "2023-09"), ("2024", "2023-09-30")])
def test_filters_refuse_a_range_no_date_can_fall_in(since: str, until: str) -> None:
    """A --since after --until is a ValueError saying so, for the CLI to report."""
    with pytest.raises(ValueError, match="so no date is in that range"):
        queries.Filters.of(since, until)


def test_search_notes_say_nothing_matched_or_how_many_are_left_out() -> None:
    """No hits, fewer hits than matches, and all hits each get their own note (or none)."""
    assert queries.search_notes("zzz", 0, 0) == ["nothing in the fact base matches 'zzz'"]
    assert queries.search_notes("talks", 2, 5) == [
        "showing the best 2 of 5 hits; --limit 0 shows all"
    ]
    assert queries.search_notes("talks", 5, 5) == []


@pytest.mark.parametrize("typed", ["Q-PUT", "q-put", "Q-Put"])
def test_id_completions_ignore_case_and_keep_what_was_typed(typed: str) -> None:
    """Every completion of an id starts with the very characters typed, in any case."""
    facts = queries.LoadedBase(factbase.load(FACTS), FACTS)
    found = queries.id_completions(facts, typed)
    assert found
    assert all(candidate.startswith(typed) for candidate in found)
    assert f"{typed}in-mediation" in found  # q-putin-mediation, spelled on from what was typed


def test_id_completions_of_an_unknown_prefix_are_none() -> None:
    """A prefix no id starts with completes to nothing."""
    facts = queries.LoadedBase(factbase.load(FACTS), FACTS)
    assert queries.id_completions(facts, "zz-") == []


def test_a_supplied_title_is_bracketed_alike_in_footers_and_citations(invoke: Invoke) -> None:
    """The markdown footer and kb cite write the built-in source's supplied title the same way."""
    facts = queries.LoadedBase(factbase.load(FACTS), FACTS)
    (source,) = [source for source in facts.content.sources if source.title_supplied]
    footer = invoke("quote", "Putin", "--format", "markdown")
    cited = invoke("cite", "q-putin-mediation")
    assert footer.exit_code == 0
    assert cited.exit_code == 0
    assert f"[{source.title}]" in footer.stdout
    assert f"“{source.title}”" not in footer.stdout
    assert f"[{source.title}]" in " ".join(cited.stdout.split())


def test_a_lookup_never_builds_kb_add(tmp_path: Path) -> None:
    """kb quote --json on the built-in base imports none of what only other work needs: kb
    add, SQLite, the batch reader and search's index (large bases), Rich (tables)."""
    import subprocess
    import sys

    unneeded = [
        "karabakh_cli.cli.add",
        "karabakh_cli.index.search",
        "karabakh_cli.base.batches",
        "sqlite3",
        "rich",
    ]
    program = (
        "import sys\n"
        "from karabakh_cli.cli.app import app\n"
        "try:\n"
        "    app(['quote', 'Putin', '--json'], prog_name='kb')\n"
        "except SystemExit as end:\n"
        f"    print(end.code, [name for name in {unneeded!r} if name in sys.modules],"
        " file=sys.stderr)\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 0
    assert ran.stderr.strip().endswith("0 []")


def test_help_lists_add_last(invoke: Invoke) -> None:
    """kb --help lists add, built on demand, after the other commands."""
    result = invoke("--help")
    assert result.exit_code == 0
    commands = [
        line.split()[1]
        for line in result.stdout.splitlines()
        if line.startswith("│ ") and line[2].isalpha()  # not an option, nor a wrapped line
    ]
    assert "quote" in commands
    assert commands[-1] == "add"


def test_a_citation_carries_the_curators_note_beside_it(invoke: Invoke) -> None:
    """A garbled quote's note reaches whoever cites it: on stderr beside the bare sentence,
    in the JSON row, and in BibTeX's and CSL-JSON's note."""
    note = "The machine translation garbles this phrase"
    result = invoke("cite", "q-aliyev-destroyed")
    assert result.exit_code == 0
    assert note not in result.stdout
    assert f"note on q-aliyev-destroyed: {note}" in result.stderr
    result = invoke("cite", "q-aliyev-destroyed", "--json")
    assert result.exit_code == 0
    assert note in json.loads(result.stdout)[0]["note"]
    for fmt in ("bibtex", "csl-json"):
        result = invoke("cite", "q-aliyev-destroyed", "--format", fmt)
        assert result.exit_code == 0
        assert f"Curator's note: {note}" in result.stdout
        assert note not in result.stderr
