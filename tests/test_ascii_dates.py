"""Dates take ASCII digits only, as the published schema's pattern does: fullwidth and
Devanagari digits, which Python's ``\\d`` would take, are refused by the parser, by
``kb validate`` and by ``--since``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from karabakh_cli import model
from tests.conftest import Invoke

NOT_ASCII = ["２０２３-09-19", "२०२३-09-19", "2023-٠٩-19", "2023-09-１９"]


@pytest.mark.parametrize("text", NOT_ASCII)
def test_the_parser_refuses_digits_other_than_ascii(text: str) -> None:
    """A date written in other digits is no date, and the message shows the form."""
    with pytest.raises(ValueError, match="expected"):
        model.parse_partial_date(text)
    assert model.date_problem(text) is not None


def test_the_schema_pattern_is_the_parsers_and_ascii_only() -> None:
    """The pattern published in the schema accepts exactly the ASCII form."""
    pattern = re.compile(f"^{model.PARTIAL_DATE.pattern}$")
    assert pattern.match("2023-09-19")
    assert not any(pattern.match(text) for text in NOT_ASCII)


@pytest.mark.parametrize("text", NOT_ASCII)
def test_validate_reports_a_date_in_other_digits(
    invoke: Invoke, base: dict[str, Any], tmp_path: Path, text: str
) -> None:
    """kb validate names the record and the date, exit 1."""
    base["quotes"][0]["date"] = text
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(base, ensure_ascii=False, indent=2), encoding="utf-8")
    result = invoke("validate", str(path))
    assert result.exit_code == 1, result.output
    quote_id = base["quotes"][0]["id"]
    assert f"{quote_id}.date: expected YYYY[-MM[-DD]]" in result.stdout
    assert repr(text) in result.stdout


@pytest.mark.parametrize("option", ["--since", "--until"])
@pytest.mark.parametrize("text", NOT_ASCII[:2])
def test_since_and_until_refuse_digits_other_than_ascii(
    invoke: Invoke, option: str, text: str
) -> None:
    """--since and --until with other digits are a usage error, exit 2."""
    result = invoke("timeline", option, text)
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.stderr
