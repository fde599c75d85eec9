"""A lookup on a broken base names its first problem, as kb validate would, without finding
every other one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from karabakh_cli.base import checks, factbase
from karabakh_cli.base.problems import FactBaseError
from tests.conftest import Invoke, spy

WriteBase = Callable[..., Path]

Change = Callable[[dict[str, Any]], None]
CHANGES: dict[str, Change] = {
    "wrong type early": lambda b: b["quotes"][0].update(place=12),
    "wrong type last": lambda b: b["quotes"][-1].update(place=12),
    "many wrong types": lambda b: [q.update(date=1) for q in b["quotes"][3:]],
    "missing field": lambda b: b["quotes"][4].pop("speaker"),
    "unknown field": lambda b: b["people"][1].update(nickname="x"),
    "bad alias item": lambda b: b["people"][0]["aliases"].append(7),
    "empty text": lambda b: b["quotes"][2].update(text=""),
    "bad enum": lambda b: b["people"][0].update(kind="robot"),
    "top level": lambda b: b.update(schema_version="1"),
    "collection not a list": lambda b: b.update(terms={}),
    "record not an object": lambda b: b["events"].insert(1, "event"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_the_first_problem_is_the_one_validate_lists_first(
    base: dict[str, Any], write_base: WriteBase, change: Change
) -> None:
    """The problem a lookup names is the first error kb validate lists, word for word."""
    change(base)
    path = write_base(base)
    with pytest.raises(FactBaseError) as caught:
        factbase.load(path)
    first_error = next(p for p in factbase.diagnose(path.read_bytes()) if p.severity == "error")
    (problem,) = caught.value.problems
    assert (problem.message, problem.path, problem.where(with_index=True)) == (
        first_error.message,
        first_error.path,
        first_error.where(with_index=True),
    )
    assert caught.value.more_may_follow


def test_a_lookup_checks_only_the_record_at_fault(
    base: dict[str, Any], write_base: WriteBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every quote broken, a lookup never runs the whole-base structure check."""
    for quote in base["quotes"]:
        quote["date"] = 1
    path = write_base(base)
    whole_base_checks = spy(monkeypatch, checks, "structure_problems")
    with pytest.raises(FactBaseError, match=r"quotes\[0\] \(.*\)\.date"):
        factbase.load(path)
    assert whole_base_checks == []


def test_the_cli_says_more_problems_may_follow(
    invoke: Invoke, base: dict[str, Any], write_base: WriteBase
) -> None:
    """Exit 3, the first problem, and a pointer to kb validate that claims no count."""
    for quote in base["quotes"]:
        quote["place"] = 12
    path = write_base(base)
    result = invoke("--facts", str(path), "quote", "Putin")
    assert result.exit_code == 3
    first_id = base["quotes"][0]["id"]
    assert result.stderr.splitlines() == [
        f"kb: {path}: quotes[0] ({first_id}).place: expected str | null, got number",
        f"kb: more problems may follow; run: kb validate {path}",
    ]
    assert result.stdout == ""


def test_integrity_errors_are_still_all_counted(
    invoke: Invoke, base: dict[str, Any], write_base: WriteBase
) -> None:
    """A base that decodes but breaks references still reports how many errors it has."""
    base["quotes"][0]["speaker"] = "nobody"
    base["quotes"][1]["speaker"] = "nobody"
    path = write_base(base)
    result = invoke("--facts", str(path), "quote", "Putin")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1] == f"kb: 1 more problem(s); run: kb validate {path}"
