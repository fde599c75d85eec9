"""What changed between two versions of a fact base, record by record and field by field.

Records are matched by id within each collection: a record only one side has was added or
removed; one both have changed in each field whose value differs (a field left out counts as
its default, so adding ``"note": null`` changes nothing). Order matters in a fact base (terms
are numbered in the document's order), so a record that both sides have, out of the order of
the others, is reported as moved. Never prints.
"""

from __future__ import annotations

import difflib
import subprocess
from pathlib import Path
from typing import Any, Literal

import msgspec

from karabakh_cli import model
from karabakh_cli.base import canonical
from karabakh_cli.model import KIND_BY_COLLECTION

Change = Literal["added", "removed", "changed", "moved"]
# The kind named in a difference of the base itself rather than of a record.
BASE_KIND = "fact base"


class Difference(msgspec.Struct, frozen=True):
    """One difference: a record added, removed or moved, or one field of a record changed."""

    change: Change
    kind: str
    id: str
    field: str | None = None
    old: Any = None
    new: Any = None


class RevisionError(Exception):
    """A file cannot be read at a git revision: no git, not in a repository, no such revision."""


def at_revision(path: Path, revision: str) -> bytes:
    """The bytes of ``path`` at a git revision, asked of git in the file's own folder."""
    if revision.startswith("-"):
        raise RevisionError(f"{revision!r} is not a revision")
    folder = path.resolve().parent
    try:
        shown = subprocess.run(
            ["git", "show", f"{revision}:./{path.name}"],
            cwd=folder,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise RevisionError("git is not installed") from None
    except OSError as error:
        raise RevisionError(f"cannot run git in {folder}: {error.strerror}") from None
    if shown.returncode != 0:
        lines = shown.stderr.decode("utf-8", "replace").strip().splitlines() or ["git failed"]
        raise RevisionError(
            f"cannot read {path} at {revision}: {lines[-1].removeprefix('fatal: ')}"
        )
    return shown.stdout


def _moved(old_ids: list[str], new_ids: list[str]) -> set[str]:
    """The ids the fewest moves put in the new order: those outside the longest common run."""
    common = set(old_ids) & set(new_ids)
    before = [record_id for record_id in old_ids if record_id in common]
    after = [record_id for record_id in new_ids if record_id in common]
    kept = {
        record_id
        for block in difflib.SequenceMatcher(
            None, before, after, autojunk=False
        ).get_matching_blocks()
        for record_id in before[block.a : block.a + block.size]
    }
    return common - kept


def _collection_differences(
    kind: str, old: list[model.Record], new: list[model.Record]
) -> list[Difference]:
    old_by_id = {record.id: record for record in old}
    new_by_id = {record.id: record for record in new}
    moved = _moved(list(old_by_id), list(new_by_id))
    new_positions = {record_id: position for position, record_id in enumerate(new_by_id, start=1)}
    found: list[Difference] = []
    for position, record in enumerate(old, start=1):
        other = new_by_id.get(record.id)
        if other is None:
            found.append(
                Difference("removed", kind, record.id, old=canonical.record_object(record))
            )
            continue
        if record.id in moved:
            new_position = new_positions[record.id]
            found.append(Difference("moved", kind, record.id, "position", position, new_position))
        if other == record:
            continue
        before, after = canonical.all_fields(record), canonical.all_fields(other)
        found += [
            Difference("changed", kind, record.id, field, before[field], after[field])
            for field in before
            if before[field] != after[field]
        ]
    found += [
        Difference("added", kind, record.id, new=canonical.record_object(record))
        for record in new
        if record.id not in old_by_id
    ]
    return found


def differences(old: model.FactBase, new: model.FactBase) -> list[Difference]:
    """Every difference from ``old`` to ``new``: the base's own fields, then each collection."""
    found = [
        Difference("changed", BASE_KIND, "", field.encode_name, before, after)
        for field in canonical.declared_fields(model.FactBase)
        if field.name not in KIND_BY_COLLECTION
        and (before := getattr(old, field.name)) != (after := getattr(new, field.name))
    ]
    for collection, kind_of_record in KIND_BY_COLLECTION.items():
        kind = kind_of_record.name
        found += _collection_differences(kind, getattr(old, collection), getattr(new, collection))
    return found
