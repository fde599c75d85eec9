"""What the index tests share: a speaker of the generated base, the rows a lookup shows, and
the base as the index or a whole read gives it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from karabakh_cli.base import factbase
from karabakh_cli.index import needs, reader
from karabakh_cli.lookup import loaded, queries
from karabakh_cli.output import views

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
