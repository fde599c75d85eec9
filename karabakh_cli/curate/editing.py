"""Changes to records already in a fact base, for ``kb edit`` and ``kb remove``: the fields a
curator may set on each kind (read from the model), their values checked as ``kb add`` checks
them, a source's corrected text archived again, and the same locked, checked, atomic write as
an add. Never prints.

A record keeps its id and its place in its collection (terms are numbered in order), so the
git diff of an edit is the lines of the fields it changed, and that of a removal the record's
own lines.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import msgspec
from msgspec import inspect

from karabakh_cli import files, model
from karabakh_cli.base import archive, canonical, factbase, sentences
from karabakh_cli.base.problems import FactBaseError, Problem
from karabakh_cli.curate import adding, diffing, writing
from karabakh_cli.curate.adding import Missing, Refused
from karabakh_cli.lookup import finding
from karabakh_cli.lookup.loaded import LoadedBase
from karabakh_cli.model import KIND, KINDS, KindOfRecord, Record, RecordKind
from karabakh_cli.text import contains_verbatim, listed

# The options of kb edit are named as kb add names them: a field's name with hyphens, but for
# these, whose option says what a person types (one alias or actor at a time, repeated).
_OPTION_NAMES = {"what": "text", "where": "place", "aliases": "alias", "actors": "actor"}
# A source's archive is set from a file of the corrected text, as kb add source takes it.
_ARCHIVE_OPTION = "--text"
EXCERPT_OPTION = "--excerpt"

Given = str | bool | list[str]
"""What an option of kb edit gives: a value, a flag, or the values of a repeated option."""


def option_of(field: str) -> str:
    """The option of kb add and kb edit that sets ``field`` (``aliases[2]``: its list's)."""
    field = re.split(r"[.\[]", field, maxsplit=1)[0]
    return (
        _ARCHIVE_OPTION
        if field == "archive"
        else f"--{_OPTION_NAMES.get(field, field).replace('_', '-')}"
    )


def options(kind: RecordKind) -> dict[str, str]:
    """The options kb edit takes for a record of ``kind``, each with the field it sets, in the
    order the model declares the fields (all but the id)."""
    return {
        option_of(field.encode_name): field.encode_name
        for field in canonical.declared_fields(KIND[kind].struct)
        if field.name != "id"
    }


EDIT_OPTIONS: tuple[str, ...] = tuple(
    dict.fromkeys(option for kind in KINDS for option in options(kind.name))
)
"""Every option kb edit takes for some kind, for its help and its checks."""


class Outcome(msgspec.Struct, frozen=True):
    """What an edit or a removal did (or, in a dry run, would do) to the base at ``path``."""

    path: Path
    kind: RecordKind
    record_id: str
    differences: list[diffing.Difference]
    notes: tuple[str, ...] = ()


class _Held(NamedTuple):
    """What a field holds: its type without metadata, whether it may be null, and the model's
    description of it (for a message about a value of the wrong form)."""

    type: inspect.Type
    optional: bool
    description: str


def _unwrapped(annotation: inspect.Type) -> _Held:
    optional, description = False, ""
    if isinstance(annotation, inspect.UnionType):
        kept = [item for item in annotation.types if not isinstance(item, inspect.NoneType)]
        optional, annotation = len(kept) < len(annotation.types), kept[0]
    while isinstance(annotation, inspect.Metadata):
        description = (annotation.extra_json_schema or {}).get("description", description)
        annotation = annotation.type
    return _Held(annotation, optional, description)


def _fields(kind: KindOfRecord) -> dict[str, inspect.Field]:
    info = inspect.type_info(kind.struct)
    assert isinstance(info, inspect.StructType)
    return {field.encode_name: field for field in info.fields}


def _found(facts: LoadedBase, record_id: str) -> tuple[RecordKind, Record, int]:
    """The record with the id (typed in any case), its kind and its place in its collection."""
    found = finding.find_record(facts, record_id)
    if found is None:
        raise Refused(finding.missing_id_note(facts, record_id))
    kind, record = found
    collection = getattr(facts.content, KIND[kind].collection)
    return kind, record, next(i for i, other in enumerate(collection) if other.id == record.id)


class _Change(NamedTuple):
    """A record's new field values (as JSON values), the file the change brings (a corrected
    source text), and what the curator should know."""

    values: dict[str, Any]
    file: tuple[Path, bytes] | None
    notes: tuple[str, ...]


def _reference(facts: LoadedBase, target: RecordKind, query: str, option: str) -> tuple[str, ...]:
    """The id ``query`` names as a reference to a ``target``, and the notes of a name matched
    inexactly: people by name as kb add finds them, other records by their id."""
    if target == "person":
        person, notes = adding.person(facts, query, option)
        return (person.id, *notes)
    if query not in getattr(facts, KIND[target].collection, {}):
        raise Refused(f"no {target} has the id {query!r}", option)
    return (query,)


def _value(
    facts: LoadedBase, field: inspect.Field, reference: model.Reference | None, given: Given
) -> tuple[Any, tuple[str, ...]]:
    """The field's new JSON value from what its option gave, and any notes; an empty value
    clears an optional field, and ``--alias ''`` empties a list."""
    option = option_of(field.encode_name)
    annotation, optional, description = _unwrapped(field.type)
    if isinstance(annotation, inspect.BoolType):
        return bool(given), ()
    if isinstance(annotation, inspect.VarTupleType):
        assert not isinstance(given, bool)
        items = [item for item in ([given] if isinstance(given, str) else given) if item.strip()]
        if reference is None:
            return items, ()
        each = [_reference(facts, reference.target, item, option) for item in items]
        return [ids[0] for ids in each], tuple(note for ids in each for note in ids[1:])
    assert isinstance(given, str)
    if not given.strip():
        if optional:
            return None, ()
        raise Refused("must not be empty", option)
    if isinstance(annotation, inspect.LiteralType) and given not in annotation.values:
        choices = listed([str(value) for value in annotation.values], "or")
        raise Refused(f"expected {choices}; got {given!r}", option)
    if field.encode_name == "date" and (problem := model.date_problem(given)):
        raise Refused(problem, option)
    pattern = annotation.pattern if isinstance(annotation, inspect.StrType) else None
    if pattern and not re.search(pattern, given):
        raise Refused(f"expected {description[:1].lower()}{description[1:]} Got {given!r}", option)
    if reference is not None:
        found = _reference(facts, reference.target, given, option)
        return found[0], found[1:]
    return given, ()


def _archived_again(
    facts: LoadedBase, source: model.Source, text_file: str
) -> tuple[dict[str, str], tuple[Path, bytes]]:
    """A source's corrected text, read from ``text_file``: its archive (the same file as
    before, or sources/ID.txt for a source that had none) and the bytes to put there."""
    try:
        text = Path(text_file).read_bytes()
    except OSError as error:
        raise Refused(f"cannot read {text_file}: {error.strerror}", _ARCHIVE_OPTION) from None
    if not text.strip():
        raise Refused("the text is empty", _ARCHIVE_OPTION)
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refused(f"the text is not UTF-8 (byte {error.start})", _ARCHIVE_OPTION) from None
    folder = facts.path.parent
    path = source.archive.path if source.archive else f"{adding.ARCHIVE_FOLDER}/{source.id}.txt"
    try:
        file = archive.archive_file(folder, model.Archive(path=path, sha256=""))
    except archive.ArchiveError as error:
        raise Refused(f"the archive of {source.id}: {error}", _ARCHIVE_OPTION) from None
    if source.archive is None and file.exists() and file.read_bytes() != text:
        raise Refused(f"{file} exists and holds another text", _ARCHIVE_OPTION)
    return {"path": path, "sha256": hashlib.sha256(text).hexdigest()}, (file, text)


def _excerpt_kept_or_found(
    facts: LoadedBase, kind: RecordKind, old: dict[str, Any], new: dict[str, Any]
) -> tuple[str, tuple[str, ...]]:
    """The excerpt of a record whose text, name or source changed: the old one while it still
    holds what it must (and the source is the same), or else the sentences of the source's
    archived text that hold it, as kb add finds them."""
    if kind == "person":
        needles = [new["name"], *new["aliases"]]
    else:
        needles = [new["what"] if kind == "event" else new["text"]]
    same_source = old["source"] == new["source"]
    if same_source and (
        kind == "event" or any(contains_verbatim(old["excerpt"], needle) for needle in needles)
    ):
        return old["excerpt"], ()
    source = facts.sources[new["source"]]
    text = adding.archived_text(facts.path.parent, source)
    if text is None:
        raise Missing(EXCERPT_OPTION, f"{source.id} has no archived text to find the excerpt in")
    if KIND[kind].verbatim and not contains_verbatim(text, needles[0]):
        message = f"the text does not stand verbatim in the archived text of {source.id}"
        raise Refused(message, "--text")
    for needle in needles:
        found = sentences.holding(text, needle)
        if found is not None:
            return found, (f"the excerpt is now the archive's sentence holding {needle!r}",)
    what = "neither the name nor an alias stands" if kind == "person" else "its words do not stand"
    raise Missing(EXCERPT_OPTION, f"{what} in the archived text of {source.id}")


def _changed(
    facts: LoadedBase, kind: RecordKind, record: Record, changes: dict[str, Given]
) -> _Change:
    """The record's field values once ``changes`` (by option) are made, each checked."""
    taken = options(kind)
    wrong = [option for option in changes if option not in taken]
    if wrong:
        raise Refused(f"not a field of a {kind}, which takes {', '.join(taken)}", wrong[0])
    if not changes:
        raise Refused(f"nothing to change; give one or more of {', '.join(taken)}")
    kind_of_record = KIND[kind]
    fields = _fields(kind_of_record)
    references = {reference.field: reference for reference in kind_of_record.references}
    old = canonical.all_fields(record)
    new = dict(old)
    notes: list[str] = []
    file = None
    for option, given in changes.items():
        name = taken[option]
        if name == "archive":
            assert isinstance(record, model.Source) and isinstance(given, str)
            new[name], file = _archived_again(facts, record, given)
            continue
        new[name], said = _value(facts, fields[name], references.get(name), given)
        notes += said
    if "excerpt" in new and EXCERPT_OPTION not in changes:
        new["excerpt"], said = _excerpt_kept_or_found(facts, kind, old, new)
        notes += said
    return _Change(new, file, tuple(notes))


@contextlib.contextmanager
def _archive_in_place(file: tuple[Path, bytes] | None, base: Path) -> Iterator[None]:
    """Put a source's corrected text in place for the write in the block, so the base is
    checked against it; put the old text back if the write fails. The caller holds the lock."""
    if file is None:
        yield
        return
    path, content = file
    old = path.read_bytes() if path.is_file() else None
    _put(path, content, base)
    try:
        yield
    except BaseException:
        if old is None:
            path.unlink(missing_ok=True)
        else:
            _put(path, old, base)
        raise


def _put(path: Path, content: bytes, base: Path) -> None:
    """``content`` at ``path`` atomically, by way of a temporary file beside the base, which
    the next writer removes if this one dies."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = files.written_temporary(base, content)
        try:
            temporary.replace(path)
        finally:
            temporary.unlink(missing_ok=True)
        files.sync_folder(path.parent)
    except OSError as error:
        raise FactBaseError(
            str(path), [Problem(f"cannot write: {error.strerror or error}")]
        ) from None


class _Loaded(NamedTuple):
    facts: LoadedBase
    raw: canonical.Raw
    notes: tuple[str, ...]


def _loaded(path: Path) -> _Loaded:
    """The base at ``path`` as records and as its JSON object, and a note if it was not in the
    canonical layout (the write makes it so)."""
    data = factbase.read(path)
    facts = LoadedBase(factbase.load(path), path)
    raw = canonical.decode(data, str(path))
    layout = f"{path} was not in kb's canonical layout; now it is"
    return _Loaded(facts, raw, () if canonical.text_of(raw).encode() == data else (layout,))


def _written(
    path: Path,
    old: model.FactBase,
    raw: canonical.Raw,
    dry_run: bool,
    file: tuple[Path, bytes] | None = None,
) -> list[diffing.Difference]:
    """Check the changed base as kb validate does and, unless a dry run, write it; return
    the differences it makes (none: nothing is written)."""
    content = canonical.text_of(raw).encode()
    new = canonical.structure(content, str(path))
    found = diffing.differences(old, new)
    if not found:
        return found
    if dry_run:
        writing.check(content)
        return found
    with _archive_in_place(file, path):
        writing.check(content, path.parent)
        writing.replace(path, content)
    return found


def edit(path: Path, record_id: str, changes: dict[str, Given], *, dry_run: bool) -> Outcome:
    """Set the fields ``changes`` names (by kb edit's option) on the record ``record_id``,
    holding the lock throughout. The whole resulting base is checked before anything is
    written, against a corrected source text too; a refused edit (Refused, Missing,
    writing.Invalid) leaves every file as it was."""
    with contextlib.nullcontext() if dry_run else writing.locked(path):
        facts, raw, notes = _loaded(path)
        kind, record, index = _found(facts, record_id)
        change = _changed(facts, kind, record, changes)
        if change.file is not None:
            checked = _check_excerpts(facts, record.id, change.file[1].decode("utf-8"))
            change = change._replace(
                notes=(
                    *change.notes,
                    f"all {checked} excerpt(s) citing {record.id} stand in the new text",
                )
            )
        collection = KIND[kind].collection
        values = change.values
        if kind == "source" and (
            translation := model.translation_problem(
                values["language"], values["translated_from"], values["translation"]
            )
        ):
            raise Refused(translation[1], option_of(translation[0]))
        edited = msgspec.convert(values, type=KIND[kind].struct)
        raw[collection][index] = canonical.record_object(edited)
        found = _written(path, facts.content, raw, dry_run, change.file)
    return Outcome(path, kind, record.id, found, (*change.notes, *(notes if found else ())))


def _check_excerpts(facts: LoadedBase, source_id: str, text: str) -> int:
    """How many excerpts cite the source, once each is found in its corrected text; refused,
    naming each record whose excerpt the text loses, if one is not."""
    citing = [
        record
        for kind in KINDS
        if any(reference.field == "source" for reference in kind.references)
        for record in getattr(facts.content, kind.collection)
        if record.source == source_id
    ]
    lost = [record.id for record in citing if not contains_verbatim(text, record.excerpt)]
    if lost:
        raise Refused(
            f"the new text does not hold the excerpt of {listed(lost)}; correct the text, or "
            "edit those records' --excerpt first",
            _ARCHIVE_OPTION,
        )
    return len(citing)


class Referrer(NamedTuple):
    """A record that names another in one of its fields."""

    kind: RecordKind
    record_id: str
    field: str
    many: bool
    """Whether the field is a list of ids, from which the id can be dropped (--unlink)."""

    def __str__(self) -> str:
        return f"{self.record_id} ({self.field})"


def referrers(facts: LoadedBase, kind: RecordKind, record_id: str) -> list[Referrer]:
    """Every record naming the ``kind`` record ``record_id``, field by field."""
    return [
        Referrer(other.name, record.id, reference.field, reference.many)
        for other in KINDS
        for reference in other.references
        if reference.target == kind
        for record in getattr(facts.content, other.collection)
        if record_id
        in (
            getattr(record, reference.field)
            if reference.many
            else (getattr(record, reference.field),)
        )
    ]


def remove(path: Path, record_id: str, *, unlink: bool, dry_run: bool) -> Outcome:
    """Remove the record ``record_id``, holding the lock throughout. Refused (nothing written)
    while another record needs it; with ``unlink``, the lists naming it (actors, contradicts,
    responds_to) drop it instead, but a record citing it as its source or speaker still needs
    it. A removed source's archived text goes too, once the base is written, unless another
    source records the same file."""
    with contextlib.nullcontext() if dry_run else writing.locked(path):
        facts, raw, notes = _loaded(path)
        kind, record, index = _found(facts, record_id)
        naming = referrers(facts, kind, record.id)
        blocking = [referrer for referrer in naming if not (unlink and referrer.many)]
        if blocking:
            raise Refused(_still_needed(record.id, blocking))
        for referrer in naming:
            collection = raw[KIND[referrer.kind].collection]
            holder = next(item for item in collection if item["id"] == referrer.record_id)
            holder[referrer.field] = [item for item in holder[referrer.field] if item != record.id]
        del raw[KIND[kind].collection][index]
        found = _written(path, facts.content, raw, dry_run)
        archived = _archive_left(facts, record)
        if archived is not None:
            notes = (*notes, f"{'would remove' if dry_run else 'removed'} {archived}")
            if not dry_run:
                archived.unlink(missing_ok=True)
    return Outcome(path, kind, record.id, found, notes)


def _still_needed(record_id: str, blocking: list[Referrer]) -> str:
    named = ", ".join(map(str, blocking))
    if all(referrer.many for referrer in blocking):
        how = "--unlink drops it from those lists"
    else:
        how = "edit or remove them first"
    return f"{record_id} is still named by {named}; {how}"


def _archive_left(facts: LoadedBase, record: Record) -> Path | None:
    """The archived text a removed source leaves unused, if any: a file no other source
    records."""
    if not isinstance(record, model.Source) or record.archive is None:
        return None
    if any(
        other.archive and other.archive.path == record.archive.path and other.id != record.id
        for other in facts.content.sources
    ):
        return None
    try:
        file = archive.archive_file(facts.path.parent, record.archive)
    except archive.ArchiveError:
        return None
    return file if file.is_file() else None
