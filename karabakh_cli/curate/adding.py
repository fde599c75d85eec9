"""New records for ``kb add``: their ids, their excerpts found in the source's archived text,
the people they name found by name, and the safe write that adds them. Never prints.

Text and excerpts are never made up or mended: a quote's text must stand verbatim in its
source's archived text (under the normalisation of ``kb validate``), and an excerpt kb finds
is the sentence or sentences of that text holding it, with only runs of whitespace made one.
"""

from __future__ import annotations

import contextlib
import hashlib
import typing
from collections.abc import Callable
from pathlib import Path

import msgspec

from karabakh_cli import files
from karabakh_cli.base import canonical, factbase, sentences
from karabakh_cli.base.problems import FactBaseError, Problem
from karabakh_cli.curate import ids, writing
from karabakh_cli.lookup import match
from karabakh_cli.lookup.loaded import LoadedBase
from karabakh_cli.model import (
    ID_FORM,
    KIND,
    PERSON_KINDS,
    Archive,
    Attribution,
    Event,
    Person,
    PersonKind,
    Quote,
    Record,
    RecordKind,
    Source,
    Term,
    date_problem,
)
from karabakh_cli.text import contains_verbatim, fold, normalise_quoting, visible

# Where a source's text is archived, relative to the fact base's folder: archive paths in a
# base point here, so a base and its sources move together.
ARCHIVE_FOLDER = "sources"
# What kb init asks git to ignore beside a new base: the writers' lock and temporary files.
GITIGNORE = "# kb's lock file and a dead writer's temporary files\n.*.lock\n.*.tmp\n"


class Refused(Exception):
    """What the curator gave cannot become a record; ``option`` names the option at fault."""

    def __init__(self, message: str, option: str | None = None) -> None:
        self.option = option
        super().__init__(message)


def write_target(path: Path | None) -> Path:
    """The fact base a write goes to: the one named (``path``), never the built-in one, which
    is the curated reference every lookup answers from."""
    if path is None or path.resolve() == factbase.builtin_path().resolve():
        raise Refused(
            "the built-in fact base is read-only; name the base to write to with "
            "'kb --facts PATH add ...' or KB_FACTS=PATH ('kb init PATH' makes a new one)"
        )
    return path


def create_base(path: Path) -> Path:
    """Create a new, empty, valid fact base at ``path`` and its folder of archived texts, and
    return the base's file. ``path`` is the file (name.json), or a folder to hold facts.json.
    Refused if the file exists: a new base never overwrites one."""
    # "kb init my-base" means a folder: a fact base file has an extension (.json).
    target = path / "facts.json" if path.is_dir() or not path.suffix else path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        writing.create(target, canonical.empty().encode())
        (target.parent / ARCHIVE_FOLDER).mkdir(exist_ok=True)
        # The lock file stays beside the base (writing.py); git need not show it. A folder's
        # own .gitignore is left as it is.
        with contextlib.suppress(FileExistsError):
            writing.create(target.parent / ".gitignore", GITIGNORE.encode())
    except FileExistsError:
        raise Refused(f"{target} exists; kb init never overwrites a file") from None
    except OSError as error:
        raise FactBaseError(str(target), [Problem(f"cannot write: {error.strerror}")]) from None
    return target


class Missing(Exception):
    """A field kb cannot fill in by itself, with why; the curator must give ``option``."""

    def __init__(self, option: str, why: str) -> None:
        self.option = option
        super().__init__(why)


class New(msgspec.Struct, frozen=True):
    """A record ready to add, with any file it brings (a source's archived text) and what
    the curator should know about it."""

    kind: RecordKind
    record: Record
    files: tuple[tuple[Path, bytes], ...] = ()
    notes: tuple[str, ...] = ()


class Added(msgspec.Struct, frozen=True):
    """The fact base with the new record in it (written, unless a dry run)."""

    facts: LoadedBase
    kind: RecordKind
    record: Record
    notes: tuple[str, ...]


Build = Callable[[LoadedBase], New]


def add(path: Path, build: Build, *, dry_run: bool) -> Added:
    """Add the record ``build`` makes from the base at ``path``, holding the lock throughout.

    The whole resulting base is checked as ``kb validate`` checks it before anything is
    written; a refused add (Refused, Missing, writing.Invalid) leaves every file untouched.
    """
    with contextlib.nullcontext() if dry_run else writing.locked(path):
        base = factbase.load(path)
        data = factbase.read(path)
        raw = canonical.decode(data, str(path))
        new = build(LoadedBase(base, path))
        if canonical.text_of(raw).encode() != data:
            new = msgspec.structs.replace(
                new, notes=(*new.notes, f"{path} was not in kb's canonical layout; now it is")
            )
        collection = KIND[new.kind].collection
        raw[collection] = [*raw[collection], canonical.record_object(new.record)]
        content = canonical.text_of(raw).encode()
        if dry_run:
            writing.check(content)
        else:
            with writing.placed(new.files, base=path):
                writing.check(content, path.parent)
                writing.replace(path, content)
    records = [*getattr(base, collection), new.record]
    result = msgspec.structs.replace(base, **{collection: records})
    return Added(LoadedBase(result, path), new.kind, new.record, new.notes)


def _record_id(
    facts: LoadedBase,
    given: str | None,
    made: str,
    blocked: Callable[[str], str | None] | None = None,
) -> str:
    """The --id given, which must be free and well formed, or one made from the record.

    ``blocked`` says why an id no record has is not free either, or None when it is.
    """
    if given is not None:
        if not ID_FORM.fullmatch(given):
            raise Refused(f"{given!r} is not an id: {ID_FORM.pattern}", "--id")
        if given in facts.records:
            raise Refused(f"the id {given!r} is taken by a {facts.records[given][0]}", "--id")
        reason = blocked(given) if blocked else None
        if reason:
            raise Refused(reason, "--id")
        return given
    if not ID_FORM.fullmatch(made) or made.endswith("-"):
        raise Refused("kb cannot make an id from this record's text; give one", "--id")
    return ids.unique_id(
        made, lambda candidate: candidate in facts.records or bool(blocked and blocked(candidate))
    )


def _check_date(date: str) -> str:
    problem = date_problem(date)
    if problem:
        raise Refused(problem, "--date")
    return date


def _text(value: str, option: str) -> str:
    if not value.strip():
        raise Refused("must not be empty", option)
    return value


def _source(facts: LoadedBase, source_id: str) -> Source:
    found = facts.sources.get(source_id)
    if found is None:
        known = ", ".join(facts.sources) or "none yet; add one with kb add source"
        raise Refused(f"no source has the id {source_id!r}; sources: {known}", "--source")
    return found


def person(facts: LoadedBase, query: str, option: str) -> tuple[Person, tuple[str, ...]]:
    """The one person ``query`` names: an id, or a name as ``kb quote`` matches it; with a
    note saying whom kb took when the name was not matched exactly, since a write that
    guessed silently would put words in the wrong mouth."""
    if query in facts.people:
        return facts.people[query], ()
    found = match.named_people(query, facts.content.people)
    if len(found) == 1:
        taken = found[0]
        if taken.score >= match.EXACT:
            return taken.person, ()
        note = (
            f"{option} {query!r}: no exact match; took {taken.person.name} ({taken.person.id}), "
            f"matched {taken.matched!r} with score {taken.score:.0f}"
        )
        return taken.person, (note,)
    if found:
        names = ", ".join(f"{item.person.name} ({item.person.id})" for item in found)
        raise Refused(f"{query!r} matches several people equally well: {names}", option)
    nearest = match.suggested_people(query, facts.content.people)
    hint = (
        "; nearest: " + ", ".join(f"{item.person.name} ({item.person.id})" for item in nearest)
        if nearest
        else "; add them first with kb add person"
    )
    raise Refused(f"no person in the fact base matches {query!r}{hint}", option)


def _actors(facts: LoadedBase, queries: list[str]) -> tuple[list[Person], tuple[str, ...]]:
    """The people each --actor names, and the notes of those taken from inexact matches."""
    found = [person(facts, query, "--actor") for query in queries]
    return [chosen for chosen, _ in found], tuple(note for _, notes in found for note in notes)


def archived_text(folder: Path, source: Source) -> str | None:
    """The archived text of ``source``, checked as kb validate checks it; None if it has none."""
    from karabakh_cli.base import archive

    if source.archive is None:
        return None
    try:
        return archive.read_text(folder, source.archive)
    except archive.ArchiveError as error:
        raise Refused(f"the archived text of {source.id}: {error}", "--source") from None


def _excerpt(
    archive: str | None, source: Source, given: str | None, holding: list[str], absent: str
) -> str:
    """The --excerpt given, which must stand in the archive, or the sentences of the archive
    that hold the first of ``holding`` found there."""
    if given is not None:
        _text(given, "--excerpt")
        if archive is not None and not contains_verbatim(archive, given):
            message = f"the excerpt does not stand verbatim in the archived text of {source.id}"
            raise Refused(message, "--excerpt")
        return given
    if archive is None:
        raise Missing("--excerpt", f"{source.id} has no archived text to find the excerpt in")
    for needle in holding:
        found = sentences.holding(archive, needle)
        if found is not None:
            return found
    raise Missing("--excerpt", f"{absent} in the archived text of {source.id}")


def _unchecked_note(source: Source) -> tuple[str, ...]:
    return (
        ()
        if source.archive
        else (f"{source.id} has no archived text: the excerpt was not checked against it",)
    )


def _verbatim_text(facts: LoadedBase, source: Source, text: str, excerpt: str | None) -> str:
    """The excerpt of a record whose text is verbatim: found in or checked against the archive."""
    archive = archived_text(facts.path.parent, source)
    if archive is not None and not contains_verbatim(archive, text):
        message = f"the text does not stand verbatim in the archived text of {source.id}"
        raise Refused(message, "--text")
    found = _excerpt(archive, source, excerpt, [text], "the text does not stand")
    if not contains_verbatim(found, text):
        raise Refused("the text does not stand verbatim in the excerpt", "--excerpt")
    return found


def new_source(
    facts: LoadedBase,
    *,
    title: str,
    publisher: str,
    date: str,
    url: str | None,
    language: str,
    text: bytes,
    record_id: str | None,
    title_supplied: bool = False,
) -> New:
    """A source whose text is archived beside the base, as sources/<id>.txt."""
    if not text.strip():
        raise Refused("the text is empty", "--text")
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refused(f"the text is not UTF-8 (byte {error.start})", "--text") from None
    digest = hashlib.sha256(text).hexdigest()
    for other in facts.content.sources:
        if other.archive and other.archive.sha256 == digest:
            raise Refused(f"this text is already archived as {other.id}", "--text")

    def archive_of(source_id: str) -> Path:
        return facts.path.parent / ARCHIVE_FOLDER / f"{source_id}.txt"

    def blocked(source_id: str) -> str | None:
        # A file no source records may be left by a writer killed before it wrote the base;
        # it is never overwritten, and the same text in it is simply taken up.
        file = archive_of(source_id)
        if file.exists() and not files.holds(file, text):
            return f"{file} exists and holds another text"
        return None

    made = "-".join(
        part
        for part in ("src", "".join(ids.words(publisher)), _check_date(date).rstrip("?"))
        if part
    )
    source_id = _record_id(facts, record_id, made, blocked)
    file = archive_of(source_id)
    source = Source(
        id=source_id,
        title=_text(title, "--title"),
        title_supplied=title_supplied,
        publisher=_text(publisher, "--publisher"),
        date=date,
        language=_text(language, "--language"),
        url=url,
        archive=Archive(path=file.relative_to(facts.path.parent).as_posix(), sha256=digest),
    )
    return New("source", source, files=((file, text),))


def new_person(
    facts: LoadedBase,
    *,
    name: str,
    role: str | None,
    aliases: list[str],
    kind: str,
    source_id: str,
    excerpt: str | None,
    note: str | None,
    record_id: str | None,
) -> New:
    """A person, their excerpt the sentences of the archive naming them (name or alias)."""
    if kind not in PERSON_KINDS:
        raise Refused(f"expected one of {', '.join(PERSON_KINDS)}; got {kind!r}", "--kind")
    # A person added twice is refused in the words of the options, before an id is made.
    typed = {fold(alias): ("--alias", alias) for alias in aliases} | {fold(name): ("--name", name)}
    for other in facts.content.people:
        for spelling in (other.name, *other.aliases):
            if fold(spelling) in typed:
                option, given = typed[fold(spelling)]
                # The name as typed, made visible: a look-alike (a zero-width space inside)
                # shows what makes it look like a new name.
                message = (
                    f"{visible(given)!r} already names {other.id} (kb edit {other.id} changes it)"
                )
                raise Refused(message, option)
    source = _source(facts, source_id)
    archive = archived_text(facts.path.parent, source)
    found = _excerpt(
        archive, source, excerpt, [name, *aliases], "neither the name nor an alias stands"
    )
    record = Person(
        id=_record_id(facts, record_id, ids.slug(_text(name, "--name"))),
        name=name,
        kind=typing.cast(PersonKind, kind),
        role=role,
        aliases=tuple(aliases),
        source=source.id,
        excerpt=found,
        note=note,
    )
    return New("person", record, notes=_unchecked_note(source))


def new_quote(
    facts: LoadedBase,
    *,
    speaker: str,
    text: str,
    source_id: str,
    date: str,
    place: str | None,
    medium: str | None,
    excerpt: str | None,
    note: str | None,
    contradicts: list[str],
    record_id: str | None,
    attribution: Attribution = "stated",
) -> New:
    """A quote of the person ``speaker`` names, its text verbatim in the source's archive.

    Whether the excerpt credits the speaker is the write's own check (writing.check), so that
    kb add and kb validate refuse the same quotes."""
    said_by, taken = person(facts, speaker, "--speaker")
    source = _source(facts, source_id)
    _text(text, "--text")
    for other in facts.content.quotes:
        if other.speaker == said_by.id and normalise_quoting(other.text) == normalise_quoting(text):
            raise Refused(f"{said_by.name} already says this in {other.id}", "--text")
    for target in contradicts:
        if target not in facts.quotes:
            raise Refused(f"no quote has the id {target!r}", "--contradicts")
    surname = (ids.words(said_by.name) or [""])[-1]
    record = Quote(
        id=_record_id(facts, record_id, f"q-{surname}-{ids.leading_words(text)}"),
        speaker=said_by.id,
        text=text,
        date=_check_date(date),
        place=place,
        # How the words were said, when the curator does not say: what is sure, that the
        # source reports them.
        medium=medium or f"reported by {source.publisher}",
        source=source.id,
        excerpt=_verbatim_text(facts, source, text, excerpt),
        note=note,
        contradicts=tuple(contradicts),
        attribution=attribution,
    )
    if attribution == "inferred" and not note:
        raise Refused("an inferred attribution needs a note saying why", "--note")
    return New("quote", record, notes=(*taken, *_unchecked_note(source)))


def new_term(
    facts: LoadedBase,
    *,
    text: str,
    quoted: bool,
    source_id: str,
    excerpt: str | None,
    actors: list[str],
    note: str | None,
    record_id: str | None,
) -> New:
    """A ceasefire term, its text verbatim in the source's archive, after the others."""
    source = _source(facts, source_id)
    actor_people, taken = _actors(facts, actors)
    record = Term(
        id=_record_id(facts, record_id, f"t-{ids.leading_words(_text(text, '--text'))}"),
        text=text,
        quoted=quoted,
        source=source.id,
        excerpt=_verbatim_text(facts, source, text, excerpt),
        actors=tuple(chosen.id for chosen in actor_people),
        note=note,
    )
    return New("term", record, notes=(*taken, *_unchecked_note(source)))


def new_event(
    facts: LoadedBase,
    *,
    date: str,
    text: str,
    source_id: str,
    excerpt: str | None,
    place: str | None,
    actors: list[str],
    note: str | None,
    record_id: str | None,
) -> New:
    """An event in the curator's words; its excerpt is given, or found where those words
    themselves stand in the archive."""
    source = _source(facts, source_id)
    archive = archived_text(facts.path.parent, source)
    actor_people, taken = _actors(facts, actors)
    record = Event(
        id=_record_id(facts, record_id, f"e-{ids.leading_words(_text(text, '--text'))}"),
        date=_check_date(date),
        what=text,
        where=place,
        actors=tuple(chosen.id for chosen in actor_people),
        source=source.id,
        excerpt=_excerpt(archive, source, excerpt, [text], "the event's own words do not stand"),
        note=note,
    )
    return New("event", record, notes=(*taken, *_unchecked_note(source)))
