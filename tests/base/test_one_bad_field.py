"""One wrong field is one finding: a record whose field is wrong still counts for the records
that name it, so kb validate does not follow the real error with false ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Invoke


@pytest.mark.parametrize(
    ("collection", "record_id", "field", "value"),
    [
        ("sources", "src-lemonde-2023-09-21", "date", 20230921),
        ("people", "ilham-aliyev", "aliases", "Ilham Aliev"),
        ("quotes", "q-amirbayov-russians-not-participate", "note", 7),
    ],
)
def test_a_bad_field_is_the_one_finding(
    invoke: Invoke,
    base: dict[str, Any],
    write_base: Callable[..., Path],
    collection: str,
    record_id: str,
    field: str,
    value: object,
) -> None:
    """A source dated with a number, a person whose aliases are a string, a quote whose note is
    a number: kb validate names that field alone, never 'no ... has the id' for the
    records naming it."""
    [record] = [record for record in base[collection] if record["id"] == record_id]
    record[field] = value
    path = write_base(base)
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1, lines
    assert f": {record['id']}.{field}: expected " in lines[0]
    assert "has the id" not in result.stdout
