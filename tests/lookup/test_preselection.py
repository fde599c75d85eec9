"""The fast paths of matching never change an answer: on random bases, who-said and name
look-ups equal a brute-force scan that scores every quote and every spelling."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from karabakh_cli import text as text_module
from karabakh_cli.lookup import attribution, match
from karabakh_cli.model import Person, Quote
from tests.conftest import spy

# Words near each other (mediation/mediated, russia/russians), stopwords, negations,
# accents and punctuation, so that every rule of the scorer is exercised.
WORDS = [
    "mediation",
    "mediated",
    "mediator",
    "russia",
    "russians",
    "russian",
    "peace",
    "peacekeepers",
    "keepers",
    "will",
    "not",
    "never",
    "the",
    "of",
    "participate",
    "participation",
    "Əliyev",
    "aliyev",
    "Paşinyan",
    "talks",
    "ceasefire",
    "a1",
    # Capitalised names, which cap a fragment whose quote lacks them.
    "Turks",
    "Russians",
    "Armenian",
    # Contractions and the words they stand for, in case attribution ever spells them out.
    "won't",
    "can't",
    "I'm",
    "am",
    "they're",
    "it's",
]
SEPARATORS = [" ", ", ", " — ", "\n", "'", " (", "! "]

texts = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), min_size=1, max_size=12
).map(lambda parts: "".join(word + separator for word, separator in parts).strip() or "x")


def quote(index: int, text: str) -> Quote:
    return Quote(
        id=f"q-{index}",
        speaker="p-0",
        text=text,
        date="2023-09-20",
        place=None,
        medium="statement",
        source="src",
        excerpt=text,
    )


def straightforward_score(fragment: str, quote_text: str) -> float:
    """attribution_score as its docstring states it, each content word compared with every
    word of the quote afresh: what the scorer's shared comparisons must equal."""
    fragment_words = attribution._words(fragment)
    content = attribution._content_words(fragment_words)
    quote_words = attribution._words(quote_text)
    if not content or not quote_words:
        return 0.0
    total = earned = 0.0
    occurrences: list[list[int]] = []
    for word in content:
        total += len(word)
        near = process.extract(
            word,
            quote_words,
            scorer=fuzz.ratio,
            score_cutoff=attribution.WORD_THRESHOLD,
            limit=None,
        )
        if near:
            similarity = max(value for _, value, _ in near)
            earned += len(word) * similarity / 100
            occurrences.append(sorted(i for _, value, i in near if value == similarity))
    positions = attribution._nearest_occurrences(occurrences)
    score = 100 * earned / total
    if positions:
        start = max(0, min(positions) - attribution._NEGATION_REACH)
        stretch = quote_words[start : max(positions) + attribution._NEGATION_REACH + 1]
        if attribution._polarity(stretch) != attribution._polarity(fragment_words):
            score = min(score, 50.0)
    if score > attribution._LACKING_NAME_CAP and attribution.lacking_names(fragment, quote_text):
        score = attribution._LACKING_NAME_CAP
    return round(score, 1)


def brute_force_who_said(fragment: str, quotes: list[Quote]) -> list[tuple[float, str]]:
    scored = [(straightforward_score(fragment, quote.text), quote.id) for quote in quotes]
    return sorted(
        (score, quote_id) for score, quote_id in scored if score >= attribution.WHO_SAID_THRESHOLD
    )


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texts, min_size=1, max_size=30), texts)
def test_who_said_finds_every_quote_a_full_scan_finds(
    quote_texts: list[str], fragment: str
) -> None:
    """Every quote scoring at least the threshold is in the answer, with the same score."""
    quotes = [quote(index, text) for index, text in enumerate(quote_texts)]
    answer = attribution.who_said(fragment, quotes)
    found = sorted(
        (item.score, item.quote.id)
        for item in answer
        if item.score >= attribution.WHO_SAID_THRESHOLD
    )
    assert found == brute_force_who_said(fragment, quotes)
    assert [item.score for item in answer] == sorted((item.score for item in answer), reverse=True)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texts, min_size=1, max_size=20), st.lists(texts, min_size=1, max_size=4))
def test_scores_equal_comparing_every_word_afresh(
    quote_texts: list[str], fragments: list[str]
) -> None:
    """Each score, with the comparisons shared across quotes and fragments, equals
    comparing each content word with every word of the quote afresh."""
    for fragment in fragments:
        for text in quote_texts:
            assert attribution.attribution_score(fragment, text) == straightforward_score(
                fragment, text
            )


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texts, min_size=1, max_size=60), texts)
def test_quotes_to_score_are_the_same_among_the_groups_a_quote_must_hold(
    quote_texts: list[str], fragment: str
) -> None:
    """Summing bounds only among the quotes holding a word of each group (as the index
    does), at falling marks for the nearest misses, chooses the same quotes as summing them
    once over every quote."""
    held = [set(attribution._words(text)) for text in quote_texts]
    vocabulary = set().union(*held)

    def holding_among(word: str, among: attribution.Among) -> list[int]:
        return [
            index
            for index, words in enumerate(held)
            if word in words and all(words.intersection(group) for group in among)
        ]

    def holding(word: str, among: attribution.Among) -> list[int]:
        return [index for index, words in enumerate(held) if word in words]

    assert attribution.quotes_to_score(
        fragment, vocabulary, attribution.summing(holding_among)
    ) == (
        attribution.quotes_to_score(
            fragment, vocabulary, attribution.summing(holding), narrows=False
        )
    )


def test_a_quote_must_hold_a_word_near_each_heavy_content_word() -> None:
    """The words carrying more than a quarter of a fragment's weight each make a group a
    quote must hold; the light ones together make one more."""
    asked: list[attribution.Among] = []

    def holding(word: str, among: attribution.Among) -> list[int]:
        asked.append(among)
        return []

    vocabulary = ["bilateral", "talks", "security", "mediation", "mediated", "tanks"]
    attribution.quotes_to_score(
        "bilateral talks security mediation", vocabulary, attribution.summing(holding)
    )
    groups = sorted(sorted(group) for group in asked[0])
    assert groups == [["bilateral"], ["mediated", "mediation"], ["security"]]


def test_the_nearest_misses_outside_the_groups_of_the_threshold_are_found() -> None:
    """With no quote able to reach the threshold, a near miss lacking a word of each of its
    groups still beats twenty quotes that hold one and come less close."""
    held = [{"alpha", "cider"}] * 20 + [{"alpha", "bravo", "exile"}]
    vocabulary = ["alpha", "bravo", "cider", "delta", "exile"]

    def holding(word: str, among: attribution.Among) -> list[int]:
        return [
            index
            for index, words in enumerate(held)
            if word in words and all(words.intersection(group) for group in among)
        ]

    chosen = attribution.quotes_to_score(
        "alpha bravo cider delta exile", vocabulary, attribution.summing(holding)
    )
    assert chosen == [*range(19), 20]


def test_who_said_finds_a_paraphrase_behind_thousands_of_near_misses() -> None:
    """Quotes sharing more exact words with the fragment, yet scoring under the threshold,
    do not crowd out the one quote that matches it word for word, fuzzily."""
    quotes = [
        quote(index, f"mediation russian peacekeepers talks {index}") for index in range(3000)
    ]
    quotes.append(quote(3000, "mediated by russian peacekeepers and their leaders"))
    fragment = "mediation of the Russian peacekeepers' leadership"
    answer = attribution.who_said(fragment, quotes)
    assert (answer[0].quote.id, answer[0].score) == ("q-3000", 88.4)
    assert [(item.score, item.quote.id) for item in answer[:1]] == brute_force_who_said(
        fragment, quotes
    )


def test_who_said_names_a_nearest_miss_when_nothing_reaches_the_threshold() -> None:
    """With no quote at the threshold, the closest are still scored for the caller to name."""
    quotes = [quote(0, "talks about the weather"), quote(1, "nothing in common")]
    answer = attribution.who_said("talks ceasefire mediation", quotes)
    assert [item.quote.id for item in answer] == ["q-0"]
    assert answer[0].score < attribution.WHO_SAID_THRESHOLD


NAME_WORDS = [
    "Ilham",
    "İlham",
    "Aliyev",
    "Əliyev",
    "Aliev",
    "Vladimir",
    "Putin",
    "Путин",
    "Nikol",
    "Pashinyan",
    "Paşinyan",
    "Mr",
    "President",
    "de",
    "Amirbayov",
    "Elçin",
    "7",
]
names = st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=3).map(" ".join)
queries = st.one_of(
    names,
    st.text(alphabet="abilmnoprstuvyzə ", min_size=1, max_size=14),
    st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=3).map("".join),
)
# Names are unique, so the order of suggestions that tie on score is fixed by name.
people_lists = st.lists(
    st.tuples(names, st.lists(names, max_size=2)),
    min_size=1,
    max_size=12,
    unique_by=lambda entry: entry[0],
)


def person(index: int, name: str, aliases: list[str]) -> Person:
    return Person(
        id=f"p-{index}",
        name=name,
        kind="person",
        role="",
        aliases=tuple(aliases),
        source="src",
        excerpt=name,
    )


def brute_force_names(
    query: str, people: list[Person], at_least: float, *, endings_differ: bool = True
) -> list[tuple[str, float]]:
    """Every spelling of every person scored, the best per person kept."""
    words = match.name_words(query)
    best: dict[str, float] = {}
    for someone in people:
        for spelling in (someone.name, *someone.aliases):
            score = (
                match._name_score(words, match.name_words(spelling), endings_differ=endings_differ)
                if words
                else 0.0
            )
            if words and score >= at_least:
                best[someone.id] = max(best.get(someone.id, 0.0), score)
    return sorted(best.items())


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(people_lists, queries, st.sampled_from([match.NAME_THRESHOLD, match.SUGGEST_THRESHOLD]))
def test_name_matching_equals_scoring_every_spelling(
    entries: list[tuple[str, list[str]]], query: str, at_least: float
) -> None:
    """The people a name matches, and their scores, are those a scan of every spelling finds."""
    people = [person(index, name, aliases) for index, (name, aliases) in enumerate(entries)]
    found = match.match_people(query, people, at_least=at_least)
    assert sorted((item.person.id, item.score) for item in found) == brute_force_names(
        query, people, at_least
    )


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(people_lists, queries)
# A long noise word ran together with the name once hid it from the pre-selection.
@example([("President Elçin Əliyev", [])], "ElçinElçin")
def test_suggestions_equal_scoring_every_spelling_per_word(
    entries: list[tuple[str, list[str]]], query: str
) -> None:
    """Suggestions are the best of a full scan for each query word on its own."""
    people = [person(index, name, aliases) for index, (name, aliases) in enumerate(entries)]
    best: dict[str, float] = {}
    for word in match.name_words(query):
        for person_id, score in brute_force_names(
            word, people, match.SUGGEST_THRESHOLD, endings_differ=False
        ):
            best[person_id] = max(best.get(person_id, 0.0), score)
    names_by_id = {someone.id: someone.name for someone in people}
    expected = sorted(best.items(), key=lambda item: (-item[1], names_by_id[item[0]]))[:3]
    found = match.suggested_people(query, people)
    assert [(item.person.id, item.score) for item in found] == expected


def test_a_name_look_up_folds_only_non_ascii_spellings_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Suggesting for a many-word query folds each non-ASCII spelling once, and no ASCII one:
    the cost no longer grows with (words in the query) x (people)."""
    people = [person(index, f"Anna Petrosyan {index}", [f"Ann P {index}"]) for index in range(500)]
    people.append(person(500, "İlham Əliyev", ["Ilham Aliyev"]))
    # Folded by match itself, or by text.fold_each for many spellings at once.
    folded = [spy(monkeypatch, match, "fold"), spy(monkeypatch, text_module, "fold")]
    query = "Zorro Quixote Bandito Wolfgang Amadeus"
    assert match.suggested_people(query, people) == []
    spellings = [said for calls in folded for said, *_ in calls if said != query]
    assert spellings == ["İlham Əliyev"]
