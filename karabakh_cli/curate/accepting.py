"""Proposals the curator accepted, added to a fact base in one transaction: every record made
as ``kb add`` makes it (adding.py), the whole result checked once, under one lock, written
once, atomically (writing.py). Never prints.

A proposal comes from ``kb add quotes`` (proposing.Proposal) or from a line of jsonl that a
curator may have edited (``kb add --from``): both are read as an ``Accepted``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path

import msgspec

from karabakh_cli.base import canonical, factbase
from karabakh_cli.curate import adding, writing
from karabakh_cli.curate.proposing import Form, ProposedKind, Status
from karabakh_cli.lookup import match
from karabakh_cli.lookup.loaded import LoadedBase
from karabakh_cli.model import KIND, Attribution, Quote, Record, RecordKind
from karabakh_cli.text import listed


class Accepted(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    """A proposal to add, as ``kb add --from`` reads a line: the fields of a Proposal that
    make the record; the others (line, credited, candidates ...) are ignored."""

    text: str
    source: str
    kind: ProposedKind = "quote"
    status: Status = "new"
    speaker: str | None = None
    excerpt: str | None = None
    date: str | None = None
    place: str | None = None
    medium: str | None = None
    note: str | None = None
    form: Form = "direct"
    attribution: Attribution = "stated"
    new_person: bool = False
    role: str | None = None
    id: str | None = None


class Refused(Exception):
    """Proposal number ``item`` (1-based, in the order given) cannot be added; nothing was
    written. The message says why."""

    def __init__(self, item: int, message: str) -> None:
        self.item = item
        super().__init__(message)


class Written(msgspec.Struct, frozen=True):
    """What one transaction added (or, for a dry run, would add): each record with the
    number of the proposal it came from, and what the curator should know."""

    facts: LoadedBase
    records: list[tuple[int, RecordKind, Record]]
    notes: list[str]


def with_form(form: Form, new: adding.New) -> adding.New:
    """A new quote (adding.new_quote's) recorded as a direct quotation or a fragment."""
    if form == "direct" or not isinstance(new.record, Quote):
        return new
    return msgspec.structs.replace(new, record=msgspec.structs.replace(new.record, form=form))


def problem(accepted: Accepted) -> str | None:
    """Why a proposal cannot be added as it stands, before the base is read: a speaker left
    unresolved, or a field a record needs missing."""
    if not accepted.text.strip():
        return "text is empty"
    if accepted.kind == "quote":
        if accepted.speaker is None or not accepted.speaker.strip():
            return (
                "the speaker is unresolved (null): set speaker to a person's id or name, "
                "or leave the line out"
            )
        if not accepted.date:
            return "date is missing"
    return None


Build = Callable[[LoadedBase], "adding.New | None"]
"""A record's builder, as adding.py's, or None when there is nothing to add after all."""


def _builds(accepted: Accepted, made: dict[str, str]) -> list[Build]:
    """The records a proposal makes, each as adding.py builds one: a new person first when
    the speaker is one the base lacks (``made`` remembers whom this transaction added)."""
    if accepted.kind == "term":
        return [
            lambda facts: adding.new_term(
                facts,
                text=accepted.text,
                quoted=True,
                source_id=accepted.source,
                excerpt=accepted.excerpt,
                actors=[],
                note=accepted.note,
                record_id=accepted.id,
            )
        ]
    speaker = accepted.speaker or ""
    builds: list[Build] = []

    def person(facts: LoadedBase) -> adding.New:
        new = adding.new_person(
            facts,
            name=speaker,
            role=accepted.role,
            aliases=[],
            kind="person",
            source_id=accepted.source,
            excerpt=None,
            note=None,
            record_id=None,
        )
        made[speaker] = new.record.id
        return new

    def quote(facts: LoadedBase) -> adding.New:
        return with_form(
            accepted.form,
            adding.new_quote(
                facts,
                speaker=made.get(speaker, speaker),
                text=accepted.text,
                source_id=accepted.source,
                date=accepted.date or "",
                place=accepted.place,
                medium=accepted.medium,
                excerpt=accepted.excerpt,
                note=accepted.note,
                contradicts=[],
                record_id=accepted.id,
                attribution=accepted.attribution,
            ),
        )

    if accepted.new_person and speaker not in made:
        builds.append(_unless_known(person, speaker, made))
    builds.append(quote)
    return builds


def _unless_known(build: adding.Build, name: str, made: dict[str, str]) -> Build:
    """``build``, skipped when a person of the base (or one added before it in this
    transaction) already answers to ``name``."""

    def maybe(facts: LoadedBase) -> adding.New | None:
        if name in made or match.named_people(name, facts.content.people):
            return None
        return build(facts)

    return maybe


def add_all(path: Path, proposals: Sequence[Accepted], *, dry_run: bool) -> Written:
    """Add every proposal to the base at ``path`` in one transaction, holding the lock
    throughout: all of them, or (Refused, naming the proposal; writing.Invalid) none."""
    for number, accepted in enumerate(proposals, 1):
        why = problem(accepted)
        if why:
            raise Refused(number, why)
    with contextlib.nullcontext() if dry_run else writing.locked(path):
        base = factbase.load(path)
        data = factbase.read(path)
        raw = canonical.decode(data, str(path))
        facts = LoadedBase(base, path)
        made: dict[str, str] = {}
        records: list[tuple[int, RecordKind, Record]] = []
        notes: list[str] = []
        files: list[tuple[Path, bytes]] = []
        for number, accepted in enumerate(proposals, 1):
            for build in _builds(accepted, made):
                try:
                    new = build(facts)
                except (adding.Refused, adding.Missing) as error:
                    where = f"{error.option}: " if getattr(error, "option", None) else ""
                    raise Refused(number, f"{where}{error}") from None
                if new is None:
                    continue
                collection = KIND[new.kind].collection
                raw[collection] = [*raw[collection], canonical.record_object(new.record)]
                content = msgspec.structs.replace(
                    facts.content, **{collection: [*getattr(facts.content, collection), new.record]}
                )
                facts = LoadedBase(content, path)
                records.append((number, new.kind, new.record))
                notes.extend(new.notes)
                files.extend(new.files)
        if canonical.text_of(canonical.decode(data, str(path))).encode() != data:
            notes.append(f"{path} was not in kb's canonical layout; now it is")
        written = canonical.text_of(raw).encode()
        if dry_run:
            writing.check(written, path.parent)
        elif records:
            with writing.placed(files, base=path):
                writing.check(written, path.parent)
                writing.replace(path, written)
    return Written(facts, records, notes)


def counted(written: Written) -> str:
    """``1 person and 2 quotes``: what a transaction added, kind by kind."""
    kinds: dict[str, int] = {}
    for _, kind, _ in written.records:
        kinds[kind] = kinds.get(kind, 0) + 1
    plurals = {"person": "people"}
    parts = [
        f"{count} {kind if count == 1 else plurals.get(kind, kind + 's')}"
        for kind, count in kinds.items()
    ]
    return listed(parts) if parts else "nothing"
