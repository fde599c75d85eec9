"""The integrity and archive checks fed a batch at a time find what they find on the whole base."""

from __future__ import annotations

import hashlib
import itertools
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from karabakh_cli import model
from karabakh_cli.base import checks, integrity
from karabakh_cli.base.problems import Problem
from tests.conftest import spy

# Few ids, names and words, so that random records share ids, spellings and text often.
_IDS = ["a", "b", "c", "p-1", "Bad_Id"]
_NAMES = ["Aliyev", "aliyev", "Əliyev", "Pashinyan", "Putin"]
_WORDS = ["talks", "“ceasefire”", "no", "celebration", "  Baku"]
_DATES = ["2023", "2023-09-20", "2023-02-30", "2023-13", "soon", "2022?"]
_words = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4).map(" ".join)
_id = st.sampled_from(_IDS)
_ids = st.lists(_id, max_size=2).map(tuple)


def _archived(draw: st.DrawFn, folder: Path, number: int) -> model.Archive | None:
    """An archive as a curator may leave it: kept, changed since, missing, or none at all."""
    state = draw(st.sampled_from(["none", "kept", "changed", "missing", "bad sha256"]))
    if state == "none":
        return None
    path = f"sources/{number}.txt"
    text = draw(_words).encode()
    if state in ("kept", "changed"):
        (folder / "sources").mkdir(exist_ok=True)
        (folder / path).write_bytes(text + b" changed" if state == "changed" else text)
    sha256 = "NOT-HEX" if state == "bad sha256" else hashlib.sha256(text).hexdigest()
    return model.Archive(path=path, sha256=sha256)


@st.composite
def _records(draw: st.DrawFn, folder: Path) -> checks.NumberedRecords:
    """Random records with duplicate ids, dangling references, self links, bad dates,
    shared spellings, unused people and sources, and changed or missing archives; some
    indexes left out as records that failed to decode are."""
    sources = [
        model.Source(
            id=draw(_id),
            title="t",
            publisher="p",
            date=draw(st.sampled_from(_DATES)),
            language="en",
            url=None,
            archive=_archived(draw, folder, number),
        )
        for number in range(draw(st.integers(0, 3)))
    ]
    people = [
        model.Person(
            id=draw(_id),
            name=draw(st.sampled_from(_NAMES)),
            kind="person",
            role=None,
            aliases=tuple(draw(st.lists(st.sampled_from(_NAMES), max_size=2))),
            source=draw(_id),
            excerpt=draw(_words),
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    quotes = []
    for _ in range(draw(st.integers(0, 6))):
        text = draw(_words)
        quotes.append(
            model.Quote(
                id=draw(_id),
                speaker=draw(_id),
                text=text,
                date=draw(st.sampled_from(_DATES)),
                place=None,
                medium="m",
                source=draw(_id),
                excerpt=draw(st.sampled_from([text, f"he said {text}", draw(_words)])),
                contradicts=draw(_ids),
                responds_to=draw(_ids),
            )
        )
    terms = [
        model.Term(
            id=draw(_id),
            text=draw(_words),
            quoted=True,
            source=draw(_id),
            excerpt=draw(_words),
            actors=draw(_ids),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    events = [
        model.Event(
            id=draw(_id),
            date=draw(st.sampled_from(_DATES)),
            what="w",
            where=None,
            actors=draw(_ids),
            source=draw(_id),
            excerpt=draw(_words),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    by_collection: dict[str, list[tuple[int, model.Record]]] = {}
    collections: list[Sequence[model.Record]] = [sources, people, quotes, terms, events]
    for kind, records in zip(model.KINDS, collections, strict=True):
        # One record in four, on average, is left out.
        left_out = draw(st.lists(st.integers(0, 3), min_size=len(records), max_size=len(records)))
        by_collection[kind.collection] = [
            (index, record)
            for index, (record, chance) in enumerate(zip(records, left_out, strict=True))
            if chance
        ]
    return checks.NumberedRecords(by_collection)


def _batches(
    records: list[tuple[int, model.Record]], sizes: Sequence[int]
) -> list[tuple[int, list[model.Record]]]:
    """``records`` in batches of the given sizes, over and over, each cut short where an
    index was left out."""
    batches: list[tuple[int, list[model.Record]]] = []
    sizes_left = itertools.cycle(sizes or [1])
    size = 0
    for index, record in records:
        if batches:
            first_index, batch = batches[-1]
            if index == first_index + len(batch) and len(batch) < size:
                batch.append(record)
                continue
        size = next(sizes_left)
        batches.append((index, [record]))
    return batches


def _fed(
    records: checks.NumberedRecords,
    order: Sequence[model.KindOfRecord],
    sizes: Sequence[int],
    *,
    warn: bool,
    folder: Path | None,
) -> list[Problem]:
    checker = integrity.IntegrityChecker(warn=warn, folder=folder)
    for kind in order:
        for first_index, batch in _batches(records.by_collection[kind.collection], sizes):
            checker.feed(kind, first_index, batch)
    return checker.finish()


def _whole(records: checks.NumberedRecords, *, warn: bool, folder: Path | None) -> list[Problem]:
    problems = integrity.integrity_problems(records, warn=warn)
    if folder is not None:
        problems += integrity.archive_problems(records, folder, warn=warn)
    return problems


@settings(max_examples=300, deadline=None)
@given(data=st.data(), warn=st.booleans(), with_archives=st.booleans())
def test_batches_in_any_order_find_what_the_whole_base_finds(
    data: st.DataObject, warn: bool, with_archives: bool
) -> None:
    """Random bases fed in random batch sizes and orders of collections give the problems of
    the whole-base checks, in their order."""
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        records = data.draw(_records(folder))
        order = data.draw(st.permutations(model.KINDS))
        sizes = data.draw(st.lists(st.integers(1, 4), max_size=20))
        archives = folder if with_archives else None
        fed = _fed(records, order, sizes, warn=warn, folder=archives)
        assert fed == _whole(records, warn=warn, folder=archives)


PEOPLE = model.KIND["person"]
QUOTES = model.KIND["quote"]
SOURCES = model.KIND["source"]


def _person(person_id: str, name: str = "Aliyev", *aliases: str) -> model.Person:
    return model.Person(
        id=person_id,
        name=name,
        kind="person",
        role=None,
        aliases=aliases,
        source="src",
        excerpt="e",
    )


def _quote(
    quote_id: str,
    speaker: str = "p-0",
    *,
    date: str = "2023",
    contradicts: tuple[str, ...] = (),
    excerpt: str = "said talks",
) -> model.Quote:
    return model.Quote(
        id=quote_id,
        speaker=speaker,
        text="talks",
        date=date,
        place=None,
        medium="m",
        source="src",
        excerpt=excerpt,
        contradicts=contradicts,
    )


def _source(archive: model.Archive | None = None) -> model.Source:
    return model.Source(
        id="src", title="t", publisher="p", date="2023", language="en", url=None, archive=archive
    )


def _lines(problems: list[Problem]) -> list[str]:
    return [
        f"{problem.severity} {'.'.join(map(str, problem.path))}: {problem.message}"
        for problem in problems
    ]


def test_a_duplicate_id_split_over_two_batches_is_found() -> None:
    """An id used in one batch and again in the next is a duplicate of the first use."""
    checker = integrity.IntegrityChecker(warn=False)
    checker.feed(SOURCES, 0, [_source()])
    checker.feed(PEOPLE, 0, [_person("p-0"), _person("p-1", "Putin")])
    checker.feed(PEOPLE, 2, [_person("p-1", "Pashinyan")])
    assert _lines(checker.finish()) == [
        "error people.2.id: duplicate id 'p-1', first used by people[1]"
    ]


def test_a_duplicate_across_kinds_names_the_first_use_in_the_order_of_the_base() -> None:
    """With quotes fed before people, the person keeps the id and the quote is the duplicate."""
    checker = integrity.IntegrityChecker(warn=False)
    checker.feed(QUOTES, 0, [_quote("q-0"), _quote("p-0")])
    checker.feed(SOURCES, 0, [_source()])
    checker.feed(PEOPLE, 0, [_person("p-0")])
    assert _lines(checker.finish()) == [
        "error quotes.1.id: duplicate id 'p-0', first used by people[0]"
    ]


def test_a_reference_to_a_person_fed_later_resolves() -> None:
    """A speaker fed after the quote naming them is no problem; one never fed is."""
    checker = integrity.IntegrityChecker(warn=True)
    checker.feed(QUOTES, 0, [_quote("q-0", "p-0")])
    checker.feed(QUOTES, 1, [_quote("q-1", "p-gone")])
    checker.feed(PEOPLE, 0, [_person("p-0")])
    checker.feed(SOURCES, 0, [_source()])
    assert _lines(checker.finish()) == ["error quotes.1.speaker: no person has the id 'p-gone'"]


def test_references_resolved_by_later_batches_are_dropped_while_feeding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the pending references pruned at every batch, forward references still resolve
    and a dangling one is still found."""
    monkeypatch.setattr(integrity, "_UNRESOLVED_PRUNED_AT", 0)
    checker = integrity.IntegrityChecker(warn=False)
    checker.feed(SOURCES, 0, [_source()])
    checker.feed(PEOPLE, 0, [_person("p-0")])
    for index in range(5):
        checker.feed(QUOTES, index, [_quote(f"q-{index}", contradicts=(f"q-{index + 1}",))])
    assert _lines(checker.finish()) == ["error quotes.4.contradicts.0: no quote has the id 'q-5'"]


def test_a_self_link_in_a_later_batch_is_found_at_its_index() -> None:
    """A quote contradicting itself is named by its index in the collection, not the batch."""
    checker = integrity.IntegrityChecker(warn=False)
    checker.feed(SOURCES, 0, [_source()])
    checker.feed(PEOPLE, 0, [_person("p-0")])
    checker.feed(QUOTES, 0, [_quote("q-0")])
    checker.feed(QUOTES, 1, [_quote("q-1", contradicts=("q-0", "q-1"))])
    assert _lines(checker.finish()) == [
        "error quotes.1.contradicts.1: a quote cannot link to itself"
    ]


def test_a_spelling_shared_across_batches_belongs_to_the_first_person() -> None:
    """An alias in a later batch folding to an earlier person's name is reported there."""
    checker = integrity.IntegrityChecker(warn=False)
    checker.feed(SOURCES, 0, [_source()])
    checker.feed(PEOPLE, 0, [_person("p-0", "Şahin")])
    checker.feed(PEOPLE, 1, [_person("p-1", "Putin", "Vladimir", "sahin")])
    assert _lines(checker.finish()) == ["error people.1.aliases.1: 'sahin' already names 'p-0'"]


def test_a_bad_date_is_found_at_its_index_in_the_collection() -> None:
    """A batch starting at index 5 names its records 5, 6, ..."""
    checker = integrity.IntegrityChecker(warn=False)
    checker.feed(SOURCES, 0, [_source()])
    checker.feed(PEOPLE, 0, [_person("p-0")])
    checker.feed(QUOTES, 5, [_quote("q-5"), _quote("q-6", date="2023-02-30")])
    assert _lines(checker.finish()) == [
        "error quotes.6.date: impossible date '2023-02-30': 2023-02 has no day 30"
    ]


def test_people_referred_to_only_by_later_batches_are_not_unused() -> None:
    """The unused warning waits for every batch: a person quoted later is used, one never
    quoted is not."""
    checker = integrity.IntegrityChecker(warn=True)
    checker.feed(PEOPLE, 0, [_person("p-0"), _person("p-1", "Putin")])
    checker.feed(QUOTES, 0, [_quote("q-0", "p-0")])
    checker.feed(SOURCES, 0, [_source()])
    assert _lines(checker.finish()) == [
        "warning people.1: no quote, term or event involves this person"
    ]


def test_no_warnings_unless_asked() -> None:
    """Without ``warn``, neither unused records nor sources without archives are reported."""
    checker = integrity.IntegrityChecker(warn=False, folder=Path())
    checker.feed(SOURCES, 0, [_source()])
    checker.feed(PEOPLE, 0, [_person("p-0"), _person("p-1", "Putin")])
    assert checker.finish() == []


def test_an_empty_batch_changes_nothing() -> None:
    """Feeding no records finds no problems."""
    checker = integrity.IntegrityChecker(warn=True, folder=Path())
    for kind in model.KINDS:
        checker.feed(kind, 0, [])
    assert checker.finish() == []


def _archive(folder: Path, text: str) -> model.Archive:
    (folder / "sources").mkdir(exist_ok=True)
    (folder / "sources" / "src.txt").write_text(text, encoding="utf-8")
    return model.Archive(path="sources/src.txt", sha256=hashlib.sha256(text.encode()).hexdigest())


def test_excerpts_fed_before_their_source_are_checked_when_it_comes(tmp_path: Path) -> None:
    """Quotes fed before the sources wait for their source's archive, then each is checked."""
    archived = _archive(tmp_path, "He said “talks” today.")
    checker = integrity.IntegrityChecker(warn=False, folder=tmp_path)
    checker.feed(QUOTES, 0, [_quote("q-0", excerpt='said "talks"')])
    checker.feed(QUOTES, 1, [_quote("q-1", excerpt="said talks tomorrow")])
    checker.feed(PEOPLE, 0, [_person("p-0")])
    checker.feed(SOURCES, 0, [_source(archived)])
    assert _lines(checker.finish()) == [
        "error quotes.1.excerpt: excerpt does not occur verbatim in the archived text of "
        "'src' (sources/src.txt)"
    ]


def test_excerpts_fed_after_their_source_are_checked_as_they_come(tmp_path: Path) -> None:
    """Once the sources are fed, each excerpt is checked against the archived text kept."""
    archived = _archive(tmp_path, "He said “talks” today.")
    checker = integrity.IntegrityChecker(warn=False, folder=tmp_path)
    checker.feed(SOURCES, 0, [_source(archived)])
    checker.feed(PEOPLE, 0, [_person("p-0")])
    checker.feed(QUOTES, 0, [_quote("q-0", excerpt="talks tomorrow")])
    checker.feed(QUOTES, 1, [_quote("q-1", excerpt='said "talks"')])
    assert _lines(checker.finish()) == [
        "error quotes.0.excerpt: excerpt does not occur verbatim in the archived text of "
        "'src' (sources/src.txt)"
    ]


def test_each_archive_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """However many batches cite a source, its archive is read once, as the source is fed."""
    from karabakh_cli.base import archive

    archived = _archive(tmp_path, "He said talks")
    reads = spy(monkeypatch, archive, "read_text")
    checker = integrity.IntegrityChecker(warn=False, folder=tmp_path)
    checker.feed(QUOTES, 0, [_quote("q-0")])
    checker.feed(SOURCES, 0, [_source(archived)])
    checker.feed(PEOPLE, 0, [_person("p-0")])
    for index in range(1, 4):
        checker.feed(QUOTES, index, [_quote(f"q-{index}")])
    assert checker.finish() == []
    assert len(reads) == 1
