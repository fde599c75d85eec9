"""What a lookup wants of a base, said so that the index can read only that: one value a kind
of lookup, which index.load takes and index.reader answers."""

from __future__ import annotations

from typing import NamedTuple

from karabakh_cli import model
from karabakh_cli.lookup.loaded import Filters


class ByName(NamedTuple):
    """What `kb quote NAME` needs: the people a name can reach, their quotes, what they cite."""

    name: str


class ById(NamedTuple):
    """What `kb show ID` needs: the record with this id and what its row refers to."""

    record_id: str


class WholeCollection(NamedTuple):
    """What a listing of one collection needs (`kb timeline`, `kb terms`): its every record,
    and what they refer to (actors, sources)."""

    collection: str


class Disputes(NamedTuple):
    """What `kb disputes` needs: every quote linking to another, and the quotes linked to."""


class ByFragment(NamedTuple):
    """What `kb who-said FRAGMENT` (with no date filter) needs: the quotes that can reach the
    threshold, or when none can, the nearest misses attribution.who_said would score; and the
    people a speaker the question names can be ("Putin said ...")."""

    fragment: str
    speaker: str | None = None


class Everyone(NamedTuple):
    """What `kb people` needs: every person with the counts queries.involvement makes, read
    one by one as the rows are written, and the sources they cite."""


class ByWords(NamedTuple):
    """What `kb search` needs: the records whose scores decide its hits and their total (see
    search.py)."""

    query: str
    kinds: tuple[model.RecordKind, ...]
    filters: Filters
    limit: int | None


Wanted = ByName | ById | WholeCollection | Disputes | ByFragment | Everyone | ByWords
