"""Fuzzing: mutated fact bases and command lines never produce a traceback or half an answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from karabakh_cli.cli.app import app
from tests.conftest import FACTS, STABLE_ENV

ORIGINAL: dict[str, Any] = json.loads(FACTS.read_text(encoding="utf-8"))
ORIGINAL_BYTES = FACTS.read_bytes()
COMMANDS = [
    ["quote", "putin"],
    ["terms"],
    ["timeline"],
    ["search", "talks"],
    ["who-said", "no celebration"],
    ["people"],
    ["show", "q-putin-mediation"],
    ["sources"],
    ["disputes"],
    ["cite", "q-putin-mediation"],
]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def run(args: list[str]) -> Any:
    return CliRunner().invoke(app, args, env=STABLE_ENV)


def assert_contract(result: Any) -> None:
    assert result.exit_code in (0, 1, 2, 3), (result.exit_code, result.stderr, result.exception)
    # CliRunner keeps the SystemExit of a non-zero exit; any other exception escaped kb.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    if result.exit_code in (2, 3):
        assert result.stdout == ""
        assert 1 <= len(result.stderr.strip().splitlines()) <= 3


@st.composite
def mutated_bases(draw: st.DrawFn) -> dict[str, Any]:
    base = json.loads(json.dumps(ORIGINAL))
    collection = draw(st.sampled_from(["sources", "people", "quotes", "terms", "events"]))
    records = base[collection]
    record = records[draw(st.integers(0, len(records) - 1))]
    field = draw(st.sampled_from(sorted(record)))
    action = draw(st.sampled_from(["drop", "retype", "rename"]))
    if action == "drop":
        del record[field]
    elif action == "retype":
        record[field] = draw(JSON_VALUES)
    else:
        record[draw(st.text(min_size=1, max_size=10))] = record.pop(field)
    return base


@FUZZ
@given(base=mutated_bases(), command=st.sampled_from(COMMANDS))
def test_mutated_fields_never_crash(
    tmp_path_factory: Any, base: dict[str, Any], command: list[str]
) -> None:
    """Dropped, retyped or renamed fields: a documented exit code, no traceback, empty stdout on failure."""
    path = Path(tmp_path_factory.mktemp("fuzz")) / "facts.json"
    path.write_text(json.dumps(base), encoding="utf-8")
    assert_contract(run(["--facts", str(path), *command]))
    assert_contract(run(["validate", str(path)]))


@FUZZ
@given(
    position=st.integers(0, len(ORIGINAL_BYTES) - 1),
    replacement=st.binary(max_size=4),
    truncate=st.booleans(),
    command=st.sampled_from(COMMANDS),
)
def test_corrupted_bytes_never_crash(
    tmp_path_factory: Any, position: int, replacement: bytes, truncate: bool, command: list[str]
) -> None:
    """Corrupted or truncated bytes: a documented exit code, no traceback."""
    data = (
        ORIGINAL_BYTES[:position]
        if truncate
        else ORIGINAL_BYTES[:position] + replacement + ORIGINAL_BYTES[position + 1 :]
    )
    path = Path(tmp_path_factory.mktemp("fuzz")) / "facts.json"
    path.write_bytes(data)
    assert_contract(run(["--facts", str(path), *command]))


@FUZZ
@given(
    args=st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "quote",
                    "terms",
                    "timeline",
                    "search",
                    "who-said",
                    "show",
                    "cite",
                    "--json",
                    "--format",
                    "csv",
                    "--since",
                    "--until",
                    "--place",
                    "--limit",
                    "-n",
                    "--kind",
                    "2023",
                    "2023-13",
                    "0",
                ]
            ),
            st.text(max_size=30),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_random_command_lines_never_crash(args: list[str]) -> None:
    """Any command line gives a documented exit code and no traceback."""
    assert_contract(run(args))
