"""Answers from the index equal reading the base whole: for every lookup the index answers, on
the generated base, on one written as a person might, and on random bases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from karabakh_cli.index import loading, location, needs, reader
from karabakh_cli.lookup import answers, finding, loaded, queries
from karabakh_cli.output import views
from karabakh_cli.text import fold
from tests.conftest import answered_from_the_index, bench_generator
from tests.index.conftest import NAME, indexed, no_say, quote_rows, whole


def timeline_rows(facts: loaded.LoadedBase) -> list[dict[str, Any]]:
    return list(views.timeline_listing(facts, queries.timeline(facts, loaded.Filters())).rows)


def terms_rows(facts: loaded.LoadedBase) -> list[dict[str, Any]]:
    return list(views.terms_listing(facts).rows)


def disputes_rows(facts: loaded.LoadedBase) -> list[dict[str, Any]]:
    return list(views.disputes_listing(facts, queries.disputes(facts)).rows)


def who_said_rows(facts: loaded.LoadedBase, fragment: str) -> list[Any]:
    attribution = queries.who_said(facts, fragment, loaded.Filters())
    rows = views.who_said_listing(
        facts, fragment, answers.verdicts(fragment, attribution.found)
    ).rows
    return [*rows, queries.refusal(facts, fragment, attribution)]


def show_rows(facts: loaded.LoadedBase, record_id: str) -> list[dict[str, Any]]:
    found = finding.find_record(facts, record_id)
    assert found is not None
    return list(views.show_listing(facts, found[0], found[1], None).rows)


def people_listed(path: Path, *, indexed: bool) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """kb people's rows and the sources under its table, from the index or the whole base."""
    found = reader.Index.open(path, path.stat()) if indexed else None
    facts = found.facts(path, needs.Everyone()) if found else whole(path)
    assert facts is not None
    assert (facts.coverage.involvement is not None) == indexed
    listing = views.people_listing(facts)
    rows = list(listing.rows)
    if found:
        found.close()
    return rows, views.cited_sources(facts, rows)


def test_lookups_from_the_index_equal_a_whole_read(large: Path) -> None:
    """quote, show, timeline, terms, disputes and people answer from the index exactly as
    from the whole base."""
    loading.load(large, None, no_say)
    for name in (NAME, "Petrosyn", "petrosyan", "Nobody Atall", "the"):
        assert quote_rows(indexed(large, needs.ByName(name)), name) == quote_rows(
            whole(large), name
        )
    assert timeline_rows(indexed(large, needs.WholeCollection("events"))) == timeline_rows(
        whole(large)
    )
    assert terms_rows(indexed(large, needs.WholeCollection("terms"))) == terms_rows(whole(large))
    assert disputes_rows(indexed(large, needs.Disputes())) == disputes_rows(whole(large))
    assert people_listed(large, indexed=True) == people_listed(large, indexed=False)
    for fragment in ("bilateral talks security mediation", "no celebration", "zzz qqq", "the"):
        assert who_said_rows(indexed(large, needs.ByFragment(fragment)), fragment) == (
            who_said_rows(whole(large), fragment)
        )
    for record_id in ("q-7", "Q-7", "p-3", "t-4", "e-9", "src-synthetic"):
        assert show_rows(indexed(large, needs.ById(record_id)), record_id) == show_rows(
            whole(large), record_id
        )


def test_an_id_no_record_has_is_left_to_the_whole_base(large: Path) -> None:
    """For an unknown id the index gives nothing, so the suggestions come from every id."""
    loading.load(large, None, no_say)
    found = reader.Index.open(large, large.stat())
    assert found is not None
    assert found.facts(large, needs.ById("q-nothing")) is None


@pytest.fixture
def reformatted(tmp_path: Path, cache: Path) -> Path:
    """A large base written as a person might: indented, non-ASCII escaped, one accented alias."""
    path = bench_generator().write(2000, tmp_path / "bases")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["people"][3]["aliases"].append("Dávit Pétrosyan «Three»")
    path.write_text(json.dumps(data, indent=3, ensure_ascii=True), encoding="utf-8")
    return path


def test_records_kept_as_written_read_back_the_same(reformatted: Path) -> None:
    """Records stored as the file's own JSON text decode to what a whole read gives."""
    loading.load(reformatted, None, no_say)
    record_ids = ("q-7", "p-3", "t-4", "e-9", "src-synthetic")
    expected = {record_id: show_rows(whole(reformatted), record_id) for record_id in record_ids}
    for record_id in record_ids:
        with answered_from_the_index():
            facts = loading.load(reformatted, needs.ById(record_id), no_say)
        assert show_rows(facts, record_id) == expected[record_id]


@pytest.mark.parametrize("name", [NAME, "Davit Pétrosyan", "dávit three", "Nobody Atall"])
def test_the_first_lookup_answers_as_a_whole_read(
    reformatted: Path, cache: Path, name: str
) -> None:
    """On a fresh cache the lookup that builds the index answers as a whole read would."""
    expected = quote_rows(whole(reformatted), name)
    with answered_from_the_index():
        facts = loading.load(reformatted, needs.ByName(name), no_say)
    assert any(cache.rglob("*.sqlite"))
    assert quote_rows(facts, name) == expected


# Name parts close to each other, with titles, particles and non-ASCII letters, so random
# queries land near, on and between names.
_PARTS = [
    "Putin",
    "Putn",
    "Vladimir",
    "Aliyev",
    "Aliev",
    "Ilham",
    "Heydar",
    "Pashinyan",
    "Nikol",
    "Şahin",
    "Çelik",
    "Mr",
    "de",
    "President",
    "Lavrov",
    "Lavrova",
    "Zoë",
    "Ali",
    "O’Brien-Smith",
    "Prime Minister of the Republic",
    "snake_case",
]


_name = st.lists(st.sampled_from(_PARTS), min_size=1, max_size=3).map(" ".join)


# Quote words close to each other, with stopwords, negations and contractions, so random
# fragments score across who-said's threshold.
_WORDS = [
    "the",
    "Russians",
    "Russian",
    "will",
    "not",
    "won't",
    "participate",
    "talks",
    "talk",
    "ceasefire",
    "cease-fire",
    "peacekeepers",
    "peacekeeper",
    "no",
    "celebration",
    "Baku",
    "“Şahin”",
    "naïve—talks",
    "snake_case",
    "l’armée",
    "ÇELIK",
    "Straße",
]


_text = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8).map(" ".join)


@st.composite
def _bases(draw: st.DrawFn, most_quotes: int = 12) -> dict[str, Any]:
    # A spelling names one person only (checks.aliases): each is drawn once, then dealt out.
    spellings = draw(st.lists(_name, min_size=1, max_size=16, unique_by=fold))
    cut = draw(st.integers(1, len(spellings)))
    names = [(name, spellings[cut:][number::cut]) for number, name in enumerate(spellings[:cut])]
    source = {
        "id": "src-a",
        "title": "T",
        "publisher": "P",
        "date": "2023",
        "language": "en",
        "url": None,
    }
    other_source = {**source, "id": "src-b", "title": "U"}
    people = [
        {
            "id": f"p-{number}",
            "name": name,
            "kind": "person",
            "role": None,
            "aliases": aliases,
            "source": draw(st.sampled_from(["src-a", "src-b"])),
            "excerpt": "e",
        }
        for number, (name, aliases) in enumerate(names)
    ]
    # An actor named twice in one record still counts once (queries.involvement).
    actors = st.lists(st.integers(0, len(people) - 1).map("p-{}".format), min_size=1, max_size=3)
    count = draw(st.integers(1, most_quotes))
    quotes = []
    for number in range(count):
        links = draw(
            st.lists(st.integers(0, count - 1).filter(number.__ne__), max_size=2, unique=True)
        )
        responses = draw(
            st.lists(st.integers(0, count - 1).filter(number.__ne__), max_size=1, unique=True)
        )
        text = draw(_text)
        quotes.append(
            {
                "id": f"q-{number}",
                "speaker": f"p-{draw(st.integers(0, len(people) - 1))}",
                "text": text,
                "date": draw(st.sampled_from(["2023", "2023-09", "2023-09-20"])),
                "place": draw(st.sampled_from([None, "Baku"])),
                "medium": "m",
                "source": "src-a",
                "excerpt": f"said {text} then",
                "contradicts": [f"q-{n}" for n in links],
                "responds_to": [f"q-{n}" for n in responses],
            }
        )
    events = [
        {
            "id": f"e-{number}",
            "date": draw(st.sampled_from(["2023", "2023-09-19", "2022?"])),
            "what": "w",
            "where": None,
            "actors": draw(actors),
            "source": "src-a",
            "excerpt": "x",
        }
        for number in range(draw(st.integers(0, 5)))
    ]
    terms = [
        {
            "id": f"t-{number}",
            "text": "t",
            "quoted": False,
            "source": "src-a",
            "excerpt": "t",
            "actors": draw(actors),
        }
        for number in range(draw(st.integers(0, 3)))
    ]
    return {
        "schema_version": 1,
        "sources": [source, other_source],
        "people": people,
        "quotes": quotes,
        "terms": terms,
        "events": events,
    }


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    base=_bases(),
    queries_=st.lists(_name, min_size=1, max_size=4),
    fragments=st.lists(_text, min_size=1, max_size=4),
)
def test_indexed_answers_equal_a_brute_force_read(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    base: dict[str, Any],
    queries_: list[str],
    fragments: list[str],
) -> None:
    """On random bases, quote, who-said, show, timeline, disputes and people from the index
    equal reading the base whole."""
    monkeypatch.setattr(location, "FROM_BYTES", 0)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(base, ensure_ascii=False), encoding="utf-8")
    loading.load(path, None, no_say)
    for name in [*queries_, *(person["name"] for person in base["people"])]:
        assert quote_rows(indexed(path, needs.ByName(name)), name) == quote_rows(whole(path), name)
    assert timeline_rows(indexed(path, needs.WholeCollection("events"))) == timeline_rows(
        whole(path)
    )
    assert disputes_rows(indexed(path, needs.Disputes())) == disputes_rows(whole(path))
    for fragment in [*fragments, *(quote["text"] for quote in base["quotes"][:3])]:
        assert who_said_rows(indexed(path, needs.ByFragment(fragment)), fragment) == (
            who_said_rows(whole(path), fragment)
        )
    for quote in base["quotes"]:
        assert show_rows(indexed(path, needs.ById(quote["id"])), quote["id"]) == show_rows(
            whole(path), quote["id"]
        )
    assert people_listed(path, indexed=True) == people_listed(path, indexed=False)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(base=_bases(most_quotes=80), fragments=st.lists(_text, min_size=1, max_size=6))
def test_who_said_from_the_index_equals_a_whole_read_on_many_quotes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base: dict[str, Any], fragments: list[str]
) -> None:
    """On random bases of up to 80 quotes, enough for many to reach the threshold or for
    nearest misses at each mark, who-said from the index equals reading the base whole."""
    monkeypatch.setattr(location, "FROM_BYTES", 0)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(base, ensure_ascii=False), encoding="utf-8")
    loading.load(path, None, no_say)
    for fragment in fragments:
        assert who_said_rows(indexed(path, needs.ByFragment(fragment)), fragment) == (
            who_said_rows(whole(path), fragment)
        )
