"""kb search from the derived index: the same hits, scores, order, snippets and totals as
reading the base whole (see karabakh_cli/index/search.py for why)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, utils

from karabakh_cli.index import loading, location, needs, reader, search
from karabakh_cli.lookup import loaded, queries, searching
from karabakh_cli.model import SEARCHED_KINDS, RecordKind
from karabakh_cli.output import views
from karabakh_cli.text import spell_out_contractions
from tests.conftest import Invoke, answered_from_the_index
from tests.index.conftest import indexed, no_say, whole


def search_rows(
    facts: loaded.LoadedBase,
    query: str,
    kinds: tuple[RecordKind, ...],
    filters: loaded.Filters,
    limit: int | None,
) -> list[Any]:
    hits, total = queries.search(facts, query, kinds, filters, limit)
    rows = views.search_listing(facts, query, hits).rows
    return [*rows, total, queries.search_notes(query, len(hits), total)]


def same_search(
    path: Path,
    query: str,
    kinds: tuple[RecordKind, ...] = SEARCHED_KINDS,
    filters: loaded.Filters | None = None,
    limit: int | None = 50,
) -> None:
    filters = filters or loaded.Filters()
    facts = indexed(path, needs.ByWords(query, kinds, filters, limit))
    assert search_rows(facts, query, kinds, filters, limit) == search_rows(
        whole(path), query, kinds, filters, limit
    )


_SINCE = loaded.Filters.of("2023-09-10", None)


@pytest.mark.parametrize(
    ("query", "kinds", "filters", "limit"),
    [
        ("ceasefire", SEARCHED_KINDS, None, 50),
        ("ceasfire", SEARCHED_KINDS, None, 50),
        ("talks", SEARCHED_KINDS, None, 3),
        ("bilateral talks security", SEARCHED_KINDS, None, 50),
        ("peacekeepers Yevlakh", ("event",), None, None),
        ("ceasefire", ("quote", "event"), _SINCE, 50),
        ("Davit Petrosyan 3", SEARCHED_KINDS, None, 50),
        ("zzzzzz", SEARCHED_KINDS, None, 50),
        ("the of", SEARCHED_KINDS, None, 50),
        ("a", SEARCHED_KINDS, None, 50),
    ],
)
def test_searches_from_the_index_equal_a_whole_read(
    large: Path,
    query: str,
    kinds: tuple[RecordKind, ...],
    filters: loaded.Filters | None,
    limit: int | None,
) -> None:
    """Frequent, misspelt, multi-word, filtered and unknown words find what the whole base does."""
    loading.load(large, None, no_say)
    same_search(large, query, kinds, filters, limit)


def test_a_frequent_word_reads_only_the_hits_shown(large: Path) -> None:
    """A word in thousands of texts reads the hits shown, and counts the rest."""
    loading.load(large, None, no_say)
    facts = indexed(large, needs.ByWords("ceasefire", SEARCHED_KINDS, loaded.Filters(), 5))
    assert facts is not None and facts.coverage.searched is not None
    assert len(facts.coverage.searched) == 5
    assert facts.coverage.left_out > 100


def test_kb_search_on_an_indexed_base_answers_as_a_whole_read(
    invoke: Invoke,
    large: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """kb search's output from the index is the output of reading the base whole."""
    arguments = ["--facts", str(large), "search", "ceasfire", "talks", "--json"]
    with answered_from_the_index():
        first = invoke(*arguments)
        indexed_ = invoke(*arguments)
    monkeypatch.setattr(location, "FROM_BYTES", 1 << 40)
    read_whole = invoke(*arguments)
    assert indexed_.exit_code == 0
    assert first.stdout == indexed_.stdout == read_whole.stdout
    assert indexed_.stderr == read_whole.stderr


_ALPHABET = st.sampled_from("abc ")


@settings(max_examples=400, deadline=None)
@given(
    word=st.text(alphabet="abc", min_size=2, max_size=14),
    text=st.text(alphabet=_ALPHABET, min_size=0, max_size=40),
)
def test_a_text_that_can_match_holds_a_piece_of_the_word(word: str, text: str) -> None:
    """Every text longer than the word that reaches its threshold holds a word containing one
    of the pieces chosen, and holds the word whole exactly when it scores 100."""
    processed = utils.default_process(text)
    held = sorted(set(processed.split()))
    found = search._vocabulary_words(word, held, [1] * len(held))
    assert found is not None
    score = fuzz.partial_ratio(word, processed)
    if len(processed) > len(word) and score >= searching.search_threshold(word):
        assert found.near
    if len(processed) > len(word):
        assert bool(found.sure) == (score == 100)


# Words close to each other, with typos, joined and split forms, punctuation, contractions,
# non-ASCII letters and words of one or two letters, so random queries land near, on and
# between them, and stretches of texts span their separators.
_WORDS = [
    "ceasefire",
    "ceasefires",
    "cease-fire",
    "cease fire",
    "ceasfire",
    "talks",
    "stalks",
    "talk",
    "peacekeepers",
    "peace",
    "keepers",
    "negotiations",
    "negotaitions",
    "won't",
    "wont",
    "not",
    "will",
    "can't",
    "the",
    "a",
    "I",
    "ab",
    "Şahin",
    "naïve",
    "l’armée",
    "Straße",
    "STRASSE",
    "snake_case",
    "Yevlakh",
    "42",
]
_SEPARATORS = [" ", " ", " ", ", ", "-", "", "'", " — ", "  "]


@st.composite
def _texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=10))
    text = words[0]
    for word in words[1:]:
        text += draw(st.sampled_from(_SEPARATORS)) + word
    return text


@st.composite
def _typo(draw: st.DrawFn) -> str:
    """A word of the texts, perhaps with a letter changed, left out or added."""
    word = draw(st.sampled_from(_WORDS))
    edit = draw(st.sampled_from(["none", "change", "drop", "add"]))
    where = draw(st.integers(0, len(word)))
    letter = draw(st.sampled_from("aeiorstx"))
    if edit == "change" and where < len(word):
        return word[:where] + letter + word[where + 1 :]
    if edit == "drop" and where < len(word):
        return word[:where] + word[where + 1 :]
    if edit == "add":
        return word[:where] + letter + word[where:]
    return word


_queries = st.lists(_typo(), min_size=1, max_size=3).map(" ".join)


@st.composite
def _bases(draw: st.DrawFn) -> dict[str, Any]:
    source = {"id": "src-a", "title": "T", "publisher": "P", "date": "2023"}
    source |= {"language": "en", "url": None}
    people = [
        {
            "id": f"p-{number}",
            "name": f"{draw(_texts())} {number}",
            "kind": "person",
            "role": draw(st.sampled_from([None, "negotiator", "ceasefire monitor"])),
            "aliases": [],
            "source": "src-a",
            "excerpt": "e",
        }
        for number in range(draw(st.integers(1, 4)))
    ]
    dates = st.sampled_from(["2023", "2023-09", "2023-09-20", "2023-09-05", "2022?"])
    quotes = []
    for number in range(draw(st.integers(0, 12))):
        text = draw(_texts())
        quotes.append(
            {
                "id": f"q-{number}",
                "speaker": f"p-{draw(st.integers(0, len(people) - 1))}",
                "text": text,
                "date": draw(dates),
                "place": None,
                "medium": "m",
                "source": "src-a",
                "excerpt": f"said {text} then",
            }
        )
    terms = []
    for number in range(draw(st.integers(0, 3))):
        text = draw(_texts())
        terms.append(
            {
                "id": f"t-{number}",
                "text": text,
                "quoted": True,
                "source": "src-a",
                "excerpt": f"The text provides “{text}”.",
            }
        )
    events = [
        {
            "id": f"e-{number}",
            "date": draw(dates),
            "what": draw(_texts()),
            "where": draw(st.sampled_from([None, "Yevlakh", "Baku"])),
            "actors": [f"p-{draw(st.integers(0, len(people) - 1))}"],
            "source": "src-a",
            "excerpt": "x",
        }
        for number in range(draw(st.integers(0, 5)))
    ]
    return {
        "schema_version": 1,
        "sources": [source],
        "people": people,
        "quotes": quotes,
        "terms": terms,
        "events": events,
    }


def _base_of(texts: list[str]) -> dict[str, Any]:
    """A base of one speaker and a quote of each of ``texts``."""
    source = {"id": "src-a", "title": "T", "publisher": "P", "date": "2023"}
    source |= {"language": "en", "url": None}
    person = {"id": "p-0", "name": "N", "kind": "person", "role": None, "aliases": []}
    person |= {"source": "src-a", "excerpt": "e"}
    quotes = [
        {"id": f"q-{number}", "speaker": "p-0", "text": text, "date": "2023", "place": None}
        | {"medium": "m", "source": "src-a", "excerpt": f"said {text} then"}
        for number, text in enumerate(texts)
    ]
    base = {"schema_version": 1, "sources": [source], "people": [person], "quotes": quotes}
    return base | {"terms": [], "events": []}


def test_one_typo_at_a_text_s_start_or_end_is_scored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word one typo away scores more where it starts or ends the text ("ceasefirx" against
    "ceasefire talks"), so such texts are read and scored, not taken for the one-typo score."""
    monkeypatch.setattr(location, "FROM_BYTES", 0)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "facts.json"
    texts = ["the talks, ceasefire talks", "ceasefire talks", "talks on a ceasefire"]
    path.write_text(json.dumps(_base_of(texts)), encoding="utf-8")
    loading.load(path, None, no_say)
    for query in ("ceasefirx", "xeasefire", "ceasfire", "ceasefire"):
        for limit in (1, 2, None):
            same_search(path, query, limit=limit)


_filters = st.sampled_from(
    [
        loaded.Filters(),
        loaded.Filters.of("2023-09-10", None),
        loaded.Filters.of(None, "2023-09-10"),
        loaded.Filters.of("2023-09", "2023-09"),
    ]
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    base=_bases(),
    searches=st.lists(
        st.tuples(
            _queries,
            st.lists(st.sampled_from(SEARCHED_KINDS), min_size=1, unique=True).map(tuple),
            _filters,
            st.sampled_from([1, 2, 3, 50, None]),
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_indexed_search_equals_a_brute_force_read(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    base: dict[str, Any],
    searches: list[tuple[str, tuple[RecordKind, ...], loaded.Filters, int | None]],
) -> None:
    """On random bases with typos, punctuation and non-ASCII letters, search from the index
    equals reading the base whole, whatever the kinds, dates and limit; also when the texts
    to score are read and ranked a chunk at a time."""
    monkeypatch.setattr(location, "FROM_BYTES", 0)
    # Texts scored two at a time, so that the best of several chunks are merged.
    monkeypatch.setattr(reader, "_SCORED", 2)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(base, ensure_ascii=False), encoding="utf-8")
    loading.load(path, None, no_say)
    texts = [quote["text"] for quote in base["quotes"][:2]]
    for query, kinds, filters, limit in [
        *searches,
        *((text, SEARCHED_KINDS, loaded.Filters(), 2) for text in texts),
    ]:
        same_search(path, query, kinds, filters, limit)


def test_words_of_one_length_are_searched_in_alphabetical_order() -> None:
    """The words of a search come shortest first, and alphabetically within a length, so the
    word placing the snippet is the same on every run."""
    assert searching.search_words("secarity talks bilatral") == ["talks", "bilatral", "secarity"]


@settings(max_examples=500, deadline=None)
@example("I wont go")
@example("it’s")
@example("wonʼt")
@example("iſnt")
@example("CANNOT")
@given(text=st.text(alphabet=st.sampled_from("wontcaisdhelrm '’ʼİıſKé·—_1"), max_size=16))
def test_a_text_spelling_out_changes_holds_a_contracted_word(text: str) -> None:
    """A text whose contractions spelling out changes holds a word found as contracted, with
    apostrophes, letters that match ASCII ones ignoring case, and other letters about."""
    held = set(utils.default_process(text).split())
    if spell_out_contractions(text) != text:
        assert held & set(search._contracted(held))


def test_a_word_too_long_to_look_up_reads_the_base_whole(
    invoke: Invoke,
    large: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A query word over search.LONGEST_WORD letters is left to the whole base, which
    answers as it always did."""
    word = "ceasefire" * 8
    loading.load(large, None, no_say)
    found = reader.Index.open(large, large.stat())
    assert found is not None
    wanted = needs.ByWords(word, SEARCHED_KINDS, loaded.Filters(), 50)
    assert found.facts(large, wanted) is None
    found.close()
    from_index = invoke("--facts", str(large), "search", word, "talks")
    monkeypatch.setattr(location, "FROM_BYTES", 1 << 40)
    read_whole = invoke("--facts", str(large), "search", word, "talks")
    assert from_index.exit_code == read_whole.exit_code
    assert (from_index.stdout, from_index.stderr) == (read_whole.stdout, read_whole.stderr)
