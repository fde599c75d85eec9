"""Arguments as people type them, and answers they can act on: unquoted names and phrases,
--facts after the command, ids in any case, refusals that show what came closest,
contractions, copyable citations and search hits, hostile text in citations."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from karabakh_cli.lookup.queries import _snippet
from tests.conftest import FACTS, Invoke

WriteBase = Callable[..., Path]


@pytest.mark.parametrize(
    "words",
    [
        ["quote", "Vladimir", "Putin"],
        ["quote", "vladimir", "putin", "--since", "2023-09"],
        ["quote", "Ilham", "Aliyev"],
        ["search", "yevlakh", "talks"],
        ["search", "russians", "participate", "--kind", "quote"],
        ["who-said", "the", "russians", "will", "not", "participate"],
        ["who-said", "no", "celebration", "--since", "2023"],
    ],
)
def test_several_words_without_quotes_are_one_argument(invoke: Invoke, words: list[str]) -> None:
    """Unquoted words give exactly what the same words quoted give, options after them too."""
    command, *rest = words
    options_at = next((i for i, word in enumerate(rest) if word.startswith("--")), len(rest))
    quoted = [command, " ".join(rest[:options_at]), *rest[options_at:]]
    unquoted = invoke(*words, "--json")
    assert unquoted.exit_code == 0, unquoted.stderr
    expected = invoke(*quoted, "--json")
    assert expected.exit_code == 0
    assert unquoted.stdout == expected.stdout
    assert json.loads(unquoted.stdout)


def test_unquoted_name_that_names_nobody_is_still_refused(invoke: Invoke) -> None:
    """Several words that name no one find nothing, as one quoted name would."""
    result = invoke("quote", "Heydar", "Aliyev")
    assert result.exit_code == 1
    assert "no speaker matches 'Heydar Aliyev'" in result.stderr


def test_facts_after_the_command_is_read(
    invoke: Invoke, base: dict[str, Any], write_base: WriteBase
) -> None:
    """--facts after the command reads that base, as before the command does."""
    base["quotes"] = [quote for quote in base["quotes"] if quote["speaker"] != "vladimir-putin"]
    path = write_base(base)
    result = invoke("quote", "Putin", "--facts", str(path))
    assert result.exit_code == 1
    assert "matches Vladimir Putin, whom the fact base never quotes" in result.stderr
    before = invoke("--facts", str(path), "quote", "Putin")
    assert before.exit_code == 1
    assert before.stderr == result.stderr


def test_facts_after_the_command_wins_over_kb_facts(invoke: Invoke) -> None:
    """--facts after the command is used even when KB_FACTS names a missing file."""
    result = invoke("terms", "--facts", str(FACTS), "--json", env={"KB_FACTS": "/nope.json"})
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)) == 4


@pytest.mark.parametrize("command", [["quote", "Putin"], ["terms"], ["cite", "q-putin-mediation"]])
def test_missing_facts_after_the_command_is_a_fact_base_error(
    invoke: Invoke, tmp_path: Path, command: list[str]
) -> None:
    """A missing --facts file after the command exits 3, naming the path, not suggesting --format."""
    missing = tmp_path / "x"
    result = invoke(*command, "--facts", str(missing))
    assert result.exit_code == 3
    assert result.stderr == f"kb: {missing}: no such file\n"


def test_kb_facts_is_named_when_its_file_is_missing(invoke: Invoke) -> None:
    """A missing file named by KB_FACTS: exit 3, and the message says it came from KB_FACTS."""
    result = invoke("terms", env={"KB_FACTS": "/nope.json"})
    assert result.exit_code == 3
    assert result.stderr == "kb: /nope.json (from KB_FACTS): no such file\n"


def test_facts_option_names_no_environment(invoke: Invoke) -> None:
    """A missing file given with --facts is not said to come from KB_FACTS."""
    result = invoke("--facts", "/nope.json", "terms")
    assert result.exit_code == 3
    assert "KB_FACTS" not in result.stderr


def test_cite_of_a_person_suggests_their_quotes(invoke: Invoke) -> None:
    """kb cite of a person's id suggests that person's quotes, never the id it rejected."""
    result = invoke("cite", "ilham-aliyev")
    assert result.exit_code == 1
    suggested = result.stderr.split("cite instead: ")[1].strip().split(", ")
    assert "ilham-aliyev" not in suggested
    assert suggested and all(record_id.startswith("q-aliyev-") for record_id in suggested)


# A source id resembles no citable id, so nothing is suggested for it (tests/lookup/test_suggestions.py).
@pytest.mark.parametrize("wanted", ["russia", "q-putin-mediatoin"])
def test_cite_suggests_only_citable_ids(invoke: Invoke, wanted: str) -> None:
    """kb cite suggests only quote, term and event ids, never a person or a source."""
    result = invoke("cite", wanted)
    assert result.exit_code == 1
    suggested = result.stderr.split("cite instead: ")[1].strip().split(", ")
    assert suggested
    assert all(record_id[:2] in {"q-", "t-", "e-"} for record_id in suggested)


@pytest.mark.parametrize("typed", ["Q-PUTIN-MEDIATION", "Q-Putin-Mediation", "q-putin-mediation"])
def test_ids_are_found_in_any_case(invoke: Invoke, typed: str) -> None:
    """kb show and kb cite find a record whatever the case of its id."""
    shown = invoke("show", typed, "--json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)[0]["id"] == "q-putin-mediation"
    cited = invoke("cite", typed, "--json")
    assert cited.exit_code == 0
    assert json.loads(cited.stdout)[0]["id"] == "q-putin-mediation"


def test_misspelt_id_in_capitals_suggests_it_first(invoke: Invoke) -> None:
    """A typo in a capitalised id suggests the id it was meant to be, first."""
    result = invoke("show", "Q-PUTIN-MEDIATOIN")
    assert result.exit_code == 1
    assert result.stderr.split("nearest: ")[1].strip().split(", ")[0] == "q-putin-mediation"


def test_refusal_shows_the_closest_quote_as_no_match(invoke: Invoke) -> None:
    """A refused who-said names the closest quote's speaker and text beside its score, as no match."""
    result = invoke("who-said", "the", "russians", "wont", "take", "part", "in", "the", "talks")
    assert result.exit_code == 1
    assert result.stdout == ""
    message = result.stderr
    assert message.count("\n") == 1
    assert "none scores 75 or more" in message
    assert "NOT a match, scores 50: Vladimir Putin, “These talks will take place" in message
    assert message.rstrip().endswith("(q-putin-mediation)")


def test_refusal_with_no_quotes_in_range_says_so(invoke: Invoke) -> None:
    """A who-said with no quote in its dates refuses without naming a closest quote."""
    result = invoke("who-said", "no", "celebration", "--until", "2001")
    assert result.exit_code == 1
    assert "none scores 75 or more" in result.stderr
    assert "closest" not in result.stderr


@pytest.mark.parametrize(
    "fragment",
    [
        "the Russians won't participate",
        "the Russians won’t participate",
        "the Russians wont participate",
        "the Russians will not participate",
    ],
)
def test_who_said_matches_contractions_and_spelled_out_forms(invoke: Invoke, fragment: str) -> None:
    """who-said finds the quote whether the negation is contracted or spelled out."""
    result = invoke("who-said", fragment, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["id"] == "q-amirbayov-russians-not-participate"


@pytest.mark.parametrize(
    ("fragment", "found"),
    [
        ("these people won't be members of the puppet government", True),
        ("we dont want to give it legitimacy", True),
        ("these people will be members of the puppet government", False),
        ("we do want to give it legitimacy", False),
    ],
)
def test_contractions_carry_their_negation(invoke: Invoke, fragment: str, found: bool) -> None:
    """A contracted negation agrees with "not" in the quote; a missing one is still refused."""
    result = invoke("who-said", fragment)
    assert result.exit_code == (0 if found else 1)
    if found:
        assert "q-amirbayov-no-legitimacy" in result.stdout
    else:
        assert "NOT a match" in result.stderr


@pytest.mark.parametrize("query", ["wont participate", "won't participate", "will not participate"])
def test_search_matches_contractions_and_spelled_out_forms(invoke: Invoke, query: str) -> None:
    """kb search finds "will not participate" written any of these ways."""
    result = invoke("search", query, "--json")
    assert result.exit_code == 0, result.stderr
    assert "q-amirbayov-russians-not-participate" in [
        hit["id"] for hit in json.loads(result.stdout)
    ]


def test_cite_prints_the_bare_citation(invoke: Invoke) -> None:
    """kb cite prints the citation alone on one line: no box, no header, no hard breaks."""
    result = invoke("cite", "q-putin-mediation", env={"COLUMNS": "60"})
    assert result.exit_code == 0
    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith("Vladimir Putin (President of Russia), Kremlin press release")
    assert not set(result.stdout) & set("│╭╮╰╯─┃━")


def test_cite_table_is_still_there_when_asked_for(invoke: Invoke) -> None:
    """--format table still draws the citation as a table."""
    result = invoke("cite", "q-putin-mediation", "--format", "table")
    assert result.exit_code == 0
    assert "Citation" in result.stdout


@pytest.mark.parametrize("query", ["probably", "peacekeeping", "legitimacy", "talks", "russians"])
def test_search_snippets_cut_at_word_boundaries(invoke: Invoke, query: str) -> None:
    """Every snippet starts and ends on whole words of the full text it comes from."""
    result = invoke("search", query, "--json")
    assert result.exit_code == 0
    for hit in json.loads(result.stdout):
        core = hit["snippet"].removeprefix("…").removesuffix("…")
        start = hit["text"].index(core)
        end = start + len(core)
        assert start == 0 or hit["text"][start - 1].isspace()
        assert end == len(hit["text"]) or hit["text"][end].isspace()


@given(
    st.lists(st.text("abcdefgh", min_size=1, max_size=12), min_size=1, max_size=40),
    st.data(),
)
def test_snippets_never_split_a_word(words: list[str], data: st.DataObject) -> None:
    """For any text of words no longer than the context, a snippet holds whole words only."""
    text = " ".join(words)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    snippet = _snippet(text, start, end)
    core = snippet.removeprefix("…").removesuffix("…")
    assert core
    whole_words_at = [
        at
        for at in range(len(text))
        if text.startswith(core, at)
        and (at == 0 or text[at - 1] == " ")
        and (at + len(core) == len(text) or text[at + len(core)] == " ")
    ]
    assert whole_words_at
    assert start > 0 or not snippet.startswith("…")
    assert end < len(text) or not snippet.endswith("…")


def test_search_hits_in_json_carry_the_full_text_and_speaker(
    invoke: Invoke, base: dict[str, Any]
) -> None:
    """A quote hit has its full text and speaker; other hits their full text and no speaker."""
    result = invoke("search", "Yevlakh", "--json")
    assert result.exit_code == 0
    hits = {hit["kind"]: hit for hit in json.loads(result.stdout)}
    term = next(term for term in base["terms"] if term["id"] == hits["term"]["id"])
    assert hits["term"]["text"] == term["text"]
    assert "speaker" not in hits["term"]
    quotes = json.loads(invoke("search", "protection", "--json").stdout)
    assert quotes[0]["text"] == (
        "Their protection will probably be provided by the Russians, but this will be a "
        "bilateral dialogue in which the Russians will not participate."
    )
    assert quotes[0]["speaker"] == {
        "id": "elchin-amirbayov",
        "name": "Elchin Amirbayov",
        "role": "Special Representative of the President of Azerbaijan",
    }
    assert set(quotes[0]) >= {"kind", "id", "score", "snippet", "date", "source"}


HOSTILE = "These talks \u001b[31m will\u0000 take\u0007 place"


@pytest.fixture
def hostile_base(base: dict[str, Any], write_base: WriteBase) -> Path:
    """A fact base whose quote text holds an escape sequence, NUL and BEL."""
    quote = next(quote for quote in base["quotes"] if quote["id"] == "q-putin-mediation")
    quote["text"] = HOSTILE
    quote["excerpt"] = f"Vladimir Putin said: {HOSTILE}."
    return write_base(base)


@pytest.mark.parametrize("fmt", ["bibtex", "csl-json", "plain", "table", "markdown", "csv"])
def test_cite_never_sends_control_characters(invoke: Invoke, hostile_base: Path, fmt: str) -> None:
    """Every cite format, BibTeX too, shows control characters instead of sending them."""
    result = invoke("--facts", str(hostile_base), "cite", "q-putin-mediation", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.stdout)
    shown = result.stdout.replace("\\[", "[")  # Markdown escapes the bracket
    assert "\u241b[31m" in shown or "\\u001b[31m" in shown


def _commands_with_a_date_range() -> list[list[str]]:
    """Every command taking both --since and --until, read from the app itself, with words
    for its argument when it takes one."""
    import typer.main

    from karabakh_cli.cli.app import app

    group = typer.main.get_group(app)
    # Through get_command, as a command line reaches them: some are built only when named.
    commands = {name: group.get_command(None, name) for name in group.list_commands(None)}
    return [
        [name, *(["putin"] if any(p.param_type_name == "argument" for p in command.params) else [])]
        for name, command in sorted(commands.items())
        if {"--since", "--until"} <= {opt for param in command.params for opt in param.opts}
    ]


@pytest.mark.parametrize("command", _commands_with_a_date_range(), ids=" ".join)
@pytest.mark.parametrize(("since", "until"), [("2023-09-30", "2023-09-01"), ("2024", "2023-12")])
def test_a_reversed_date_range_is_a_usage_error(
    invoke: Invoke, command: list[str], since: str, until: str
) -> None:
    """--since after --until exits 2 naming both options and both dates, printing nothing."""
    result = invoke(*command, "--since", since, "--until", until)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "'--since' / '--until'" in result.stderr
    assert f"{since} is after {until}" in result.stderr


def test_a_range_of_one_partial_date_is_not_reversed(invoke: Invoke) -> None:
    """--since 2023-09-20 --until 2023-09 overlaps, so it answers."""
    result = invoke("timeline", "--since", "2023-09-20", "--until", "2023-09", "-f", "plain")
    assert result.exit_code == 0
    assert "e-ceasefire-signed" in result.stdout
