"""Commands as people type them: bare kb and bare kb add show their help and exit 0, `kb help
[COMMAND]` is --help, two words of one command are suggested (never run), kb cite takes
several ids, and help reads as sentences."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import Invoke


@pytest.mark.parametrize("args", [[], ["add"], ["export"]])
def test_a_bare_group_shows_its_help_and_exits_0(invoke: Invoke, args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 0
    assert "Usage: kb" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "usage"),
    [
        (["help"], "Usage: kb [OPTIONS] COMMAND"),
        (["help", "quote"], "Usage: kb quote [OPTIONS]"),
        (["help", "add", "quote"], "Usage: kb add quote [OPTIONS]"),
    ],
)
def test_help_before_a_command_is_its_help(invoke: Invoke, args: list[str], usage: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 0
    assert usage in result.stdout


def test_a_command_typed_as_two_words_is_suggested_whole_and_not_run(invoke: Invoke) -> None:
    result = invoke("who", "said", "the", "russians")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == "kb: no command 'who'; did you mean: kb who-said the russians"


def test_an_unknown_command_is_still_a_usage_error(invoke: Invoke) -> None:
    result = invoke("nope", "thing")
    assert result.exit_code == 2
    assert "No such command 'nope'" in result.stderr


def test_cite_takes_several_ids_and_lists_their_source_once(invoke: Invoke) -> None:
    ids = ["q-putin-mediation", "q-aliyev-sovereignty", "t-talks-yevlakh"]
    sentences = invoke("cite", *ids)
    assert sentences.exit_code == 0
    assert len(sentences.stdout.strip().splitlines()) == 3
    bibtex = invoke("cite", *ids, "--format", "bibtex").stdout
    assert bibtex.count("@article{") == 1
    assert [line.split(":")[0] for line in bibtex.splitlines() if line.startswith("@comment")] == [
        f"@comment{{kb cite {record}" for record in ids
    ]
    items = json.loads(invoke("cite", *ids, "--format", "csl-json").stdout)
    assert [item["id"] for item in items] == ["src-lemonde-2023-09-21"]
    assert [cited["record"] for cited in items[0]["custom"]["citations"]] == ids
    rows = json.loads(invoke("cite", *ids, "--json").stdout)
    assert [row["id"] for row in rows] == ids


def test_one_id_that_cannot_be_cited_writes_nothing_for_the_others(invoke: Invoke) -> None:
    result = invoke("cite", "q-putin-mediation", "ilham-aliyev", "--format", "bibtex")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "ilham-aliyev" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["validate", "--help"], ["add", "quote", "--help"], ["cite", "--help"], ["quote", "--help"]],
)
@pytest.mark.parametrize("width", ["60", "80"])
def test_help_has_no_stray_space_before_a_full_stop_nor_a_format_list_cut(
    invoke: Invoke, args: list[str], width: str
) -> None:
    result = invoke(*args, env={"COLUMNS": width})
    assert result.exit_code == 0
    assert not re.search(r"\w \.", result.stdout), result.stdout
    assert "|c" not in result.stdout and "sv|" not in result.stdout


def test_a_docstring_paragraph_is_one_sentence_flow_not_the_source_lines(invoke: Invoke) -> None:
    shown = invoke("validate", "--help", env={"COLUMNS": "200"}).stdout
    assert "and every excerpt against that text." in shown
