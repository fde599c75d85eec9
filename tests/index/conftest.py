"""What the index tests share: a speaker of the generated base, the rows a lookup shows, the
base as the index or a whole read gives it, and every lookup command with its answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from karabakh_cli.base import factbase
from karabakh_cli.index import location, needs, reader
from karabakh_cli.lookup import loaded, queries
from karabakh_cli.output import views
from tests.conftest import bench_generator, kb

NAME = "Davit Petrosyan 3"


def quote_rows(facts: loaded.LoadedBase, name: str) -> list[dict[str, Any]]:
    found = queries.quotes_by(facts, name, loaded.Filters())
    listing = views.quotes_listing(facts, "", found.quotes)
    return [
        *listing.rows,
        {"speakers": [(match.person.id, match.score, match.matched) for match in found.speakers]},
        {"nearest": [(match.person.id, match.score, match.matched) for match in found.nearest]},
    ]


def indexed(path: Path, wanted: needs.Wanted) -> loaded.LoadedBase:
    """The partial base the index gives, asserting it came from the index."""
    found = reader.Index.open(path, path.stat())
    assert found is not None
    facts = found.facts(path, wanted)
    found.close()
    assert facts is not None
    return facts


def whole(path: Path) -> loaded.LoadedBase:
    return loaded.LoadedBase(factbase.load(path), path)


def no_say(message: str) -> None:
    raise AssertionError(f"unexpected message: {message}")


# Every command that answers from an index (or trusts it for the checks), with arguments that
# reach records of the generated base: q-3 is Davit Petrosyan 3's.
LOOKUPS = [
    ("quote", NAME),
    ("show", "q-3"),
    ("cite", "q-3"),
    ("search", "army border televised"),
    ("who-said", "Army border border televised dialogue withdrawal press border"),
    ("timeline",),
    ("people",),
    ("terms",),
    ("disputes",),
    ("sources",),
]


@pytest.fixture
def small_indexed(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A 200-quote base (150 KB), indexed all the same: quick to build again and again."""
    monkeypatch.setattr(location, "FROM_BYTES", 1)
    path: Path = bench_generator().write(200, tmp_path / "bases")
    return path


def answers(path: Path, *args: str) -> tuple[int, str, str]:
    """kb's exit code, stdout and stderr for one lookup in the base at ``path``, as rows."""
    return kb(path, *args, "--format", "plain")
