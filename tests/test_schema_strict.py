"""The published JSON Schema is as strict as the model allows: every broken base here is
refused by a JSON Schema validator and by kb validate alike, and the built-in base passes both."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FACTS, Invoke

jsonschema = pytest.importorskip(
    "jsonschema", reason="jsonschema is not installed (.ci/run installs it)"
)


def _quote(base: dict[str, Any]) -> dict[str, Any]:
    quote: dict[str, Any] = base["quotes"][0]
    return quote


BROKEN: dict[str, Callable[[dict[str, Any]], None]] = {
    "month 13": lambda base: _quote(base).update(date="2023-13-01"),
    "day 45": lambda base: _quote(base).update(date="2023-09-45"),
    "month 00": lambda base: _quote(base).update(date="2023-00"),
    "non-ASCII digits": lambda base: _quote(base).update(date="２０２３-09-19"),
    "an absolute archive path": lambda base: base["sources"][0]["archive"].update(
        path="/etc/passwd"
    ),
    "a .. archive path": lambda base: base["sources"][0]["archive"].update(
        path="sources/../../secret.txt"
    ),
    "a Windows drive": lambda base: base["sources"][0]["archive"].update(path="C:/texts/a.txt"),
    "a backslash": lambda base: base["sources"][0]["archive"].update(path="sources\\a.txt"),
    "a url that is no URL": lambda base: base["sources"][0].update(url="not a url"),
    "an id in capitals": lambda base: _quote(base).update(id="Q-Putin"),
}


@pytest.fixture(scope="module")
def validator(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from typer.testing import CliRunner

    from karabakh_cli.cli.app import app

    schema = json.loads(CliRunner().invoke(app, ["schema"]).stdout)
    assert schema["$id"] == "urn:karabakh-cli:fact-base:1"
    checker = jsonschema.Draft202012Validator
    checker.check_schema(schema)
    return checker(schema, format_checker=checker.FORMAT_CHECKER)


def test_the_built_in_base_passes_the_schema(validator: Any) -> None:
    errors = list(validator.iter_errors(json.loads(FACTS.read_text(encoding="utf-8"))))
    assert errors == []


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_a_broken_base_is_refused_by_the_schema_and_by_kb_validate(
    validator: Any,
    invoke: Invoke,
    base: dict[str, Any],
    write_base: Callable[..., Path],
    broken: str,
) -> None:
    BROKEN[broken](base)
    assert list(validator.iter_errors(base)), f"the schema accepts {broken}"
    result = invoke("validate", str(write_base(base)))
    assert result.exit_code == 1, f"kb validate accepts {broken}: {result.stdout}"
