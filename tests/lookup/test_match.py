"""The matching thresholds, checked over many spellings, non-names, paraphrases and inventions.

These lists are the evidence the thresholds in karabakh_cli/lookup/match.py, attribution.py and
searching.py were chosen from.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from karabakh_cli.base import factbase
from karabakh_cli.lookup import attribution, loaded, match
from karabakh_cli.lookup.attribution import WHO_SAID_THRESHOLD
from karabakh_cli.text import fold
from tests.conftest import FACTS, Invoke

BASE = factbase.load(FACTS)


def chosen(query: str) -> list[str]:
    return [found.person.id for found in match.named_people(query, BASE.people)]


@pytest.mark.parametrize(
    ("query", "person"),
    [
        ("Putin", "vladimir-putin"),
        ("putin", "vladimir-putin"),
        ("PUTIN", "vladimir-putin"),
        ("Vladimir Putin", "vladimir-putin"),
        ("Putin Vladimir", "vladimir-putin"),
        ("Vladimir", "vladimir-putin"),
        ("President Putin", "vladimir-putin"),
        ("Mr. Putin", "vladimir-putin"),
        ("putn", "vladimir-putin"),
        ("Puttin", "vladimir-putin"),
        ("Путин", "vladimir-putin"),
        ("aliev", "ilham-aliyev"),
        ("Aliyev", "ilham-aliyev"),
        ("Alijev", "ilham-aliyev"),
        ("Ilham", "ilham-aliyev"),
        ("ilham aliyev", "ilham-aliyev"),
        ("İlham Əliyev", "ilham-aliyev"),
        ("Əliyev", "ilham-aliyev"),
        ("Ilham Aliev", "ilham-aliyev"),
        ("ilhamaliyev", "ilham-aliyev"),
        ("Amirbayov", "elchin-amirbayov"),
        ("amirbaiov", "elchin-amirbayov"),
        ("Elchin", "elchin-amirbayov"),
        ("Elsin Amirbayov", "elchin-amirbayov"),
        ("Elçin Əmirbəyov", "elchin-amirbayov"),
        ("Mr Amirbayov", "elchin-amirbayov"),
        ("Mammadov", "ramin-mammadov"),
        ("Məmmədov", "ramin-mammadov"),
        ("human rights defender", "anonymous-rights-defender"),
        ("Nagorno-Karabakh Defence Army", "nagorno-karabakh-defense-army"),
    ],
)
def test_spellings_find_the_person(query: str, person: str) -> None:
    """Case, accents, word order, titles, typos and transliterations find the one person."""
    assert chosen(query) == [person]


NOT_IN_BASE = [
    "Heydar Aliyev",
    "Mehriban Aliyeva Heydar",
    "Nikol Pashinyan",
    "Pashinyan",
    "Zelensky",
    "Biden",
    "Macron",
    "Erdogan",
    "Lavrov",
    "Peskov",
    "Ruben Vardanyan",
    "Samvel Shahramanyan",
    "Arayik Harutyunyan",
    "Blinken",
    "Guterres",
    "Charles Michel",
    "Pushkin",
    "Putinov Sergei",
    "Vladimir Lenin",
    "Ilham Pashinyan",
    "Stalin",
    "Ali",
    "Al",
    "x",
    "the",
    "hello world",
    "ceasefire",
    "Yevlakh",
    "Stepanakert",
    "Reuters",
    "Ukraine",
    "12345",
    "🙂",
    "שלום",
    "President",
]


@pytest.mark.parametrize("query", NOT_IN_BASE)
def test_names_not_in_the_base_find_nobody(query: str) -> None:
    """A name that is not in the base never resolves to somebody else."""
    assert chosen(query) == []


ENDINGS_ADDED = {
    "Aliyeva": "ilham-aliyev",
    "Mehriban Aliyeva": "ilham-aliyev",
    "Alieva": "ilham-aliyev",
    "Əliyeva": "ilham-aliyev",
    "Aliyevs": "ilham-aliyev",
    "Putina": "vladimir-putin",
    "Putinova": "vladimir-putin",
    "Путина": "vladimir-putin",
    "Amirbayova": "elchin-amirbayov",
    "Mammadova": "ramin-mammadov",
    "Ilhama": "ilham-aliyev",
}


@pytest.mark.parametrize(("query", "nearest"), ENDINGS_ADDED.items())
def test_a_name_with_an_added_ending_is_another_name(query: str, nearest: str) -> None:
    """A name word with letters added at its end (Aliyeva, Putinova) finds nobody, yet suggests the name it extends."""
    assert chosen(query) == []
    suggested = match.suggested_people(query, BASE.people)
    assert nearest in [found.person.id for found in suggested]


@pytest.mark.parametrize(
    ("name", "nearest"), [("Aliyeva", "Ilham Aliyev"), ("Putina", "Vladimir Putin")]
)
def test_a_name_with_an_added_ending_shows_nobody_s_quotes(
    invoke: Invoke, name: str, nearest: str
) -> None:
    """kb quote Aliyeva does not show Ilham Aliyev's words: it finds nobody and suggests him."""
    result = invoke("quote", name)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"nearest known speakers: {nearest}" in result.stderr


def test_equally_good_matches_are_all_returned() -> None:
    """A query two people answer equally is never settled by picking one."""
    assert set(chosen("Russian")) == {
        "russia",
        "russian-ministry-of-defense",
        "russian-peacekeeping-force",
    }


def test_name_threshold_leaves_margin_over_non_names() -> None:
    """Every non-name scores at least 10 points under the threshold against every person."""
    for query in NOT_IN_BASE:
        ranked = match.match_people(query, BASE.people)
        assert not ranked or ranked[0].score <= match.NAME_THRESHOLD - 10, (query, ranked[0])


def best(fragment: str) -> attribution.Scored:
    return attribution.who_said(fragment, BASE.quotes)[0]


PARAPHRASES = {
    "russians will not participate": "q-amirbayov-russians-not-participate",
    "the Russians will not participate in a bilateral dialogue": "q-amirbayov-russians-not-participate",
    "a bilateral dialogue in which the Russians will not participate": "q-amirbayov-russians-not-participate",
    "the Russians will not take part in this bilateral dialogue": "q-amirbayov-russians-not-participate",
    "protection provided by the Russians": "q-amirbayov-russians-not-participate",
    "their protection will probably be provided by Russia": "q-amirbayov-russians-not-participate",
    "these talks will take place with Russian peacekeeping mediation": "q-putin-mediation",
    "mediation of the leadership of the Russian peacekeepers": "q-putin-mediation",
    "talks will take place with the mediation of the peacekeeping force": "q-putin-mediation",
    "no celebration for now": "q-defender-no-celebration",
    "There is no celebration, people wait for the talks": "q-defender-no-celebration",
    "people are waiting for the outcome of the talks": "q-defender-no-celebration",
    "restored sovereignty": "q-aliyev-sovereignty",
    "sovereignty restored": "q-aliyev-sovereignty",
    "not members of the puppet government": "q-amirbayov-no-legitimacy",
    "we do not want to give the puppet government any legitimacy": "q-amirbayov-no-legitimacy",
    "in small group": "q-amirbayov-small-groups",
    "two or three expected": "q-amirbayov-two-or-three",
    "Too destroying": "q-aliyev-destroyed",
}


@pytest.mark.parametrize(("fragment", "quote_id"), PARAPHRASES.items())
def test_fragments_and_paraphrases_find_their_quote(fragment: str, quote_id: str) -> None:
    """Pieces, reorderings and paraphrases of a real quote find it, above the threshold."""
    found = best(fragment)
    assert found.quote.id == quote_id
    assert found.score >= WHO_SAID_THRESHOLD


INVENTED = [
    "the Russians will participate",
    "the Russians will participate in the talks",
    "there will be no talks",
    "these talks will fail",
    "the talks will take place in Moscow",
    "people are celebrating in the streets",
    "we restored peace in the region",
    "Azerbaijan will never negotiate with separatists",
    "we will drive them out like dogs",
    "Karabakh is Azerbaijan",
    "the ceasefire will hold",
    "Armenia has abandoned its people",
    "Russia will guarantee the security of the Armenians",
    "the peacekeepers will leave Nagorno-Karabakh",
    "The war is over",
    "We have won",
    "the puppet government is legitimate",
    "these people will be members of the government",
    "there is a great celebration",
    "Withdrawal of Remaining Units",
    "Dissolution and complete disarmament",
    "first round of talks in Yevlakh",
    "large-scale offensive launched by Baku",
    "ceasefire agreement was signed",
    "About 2,000 Russian paramilitary troops",
    # Someone else swapped in: the quote lacks the fragment's proper name.
    "These talks will take place with the mediation of the leadership of the Turkish peacekeeping force",
    "Their protection will probably be provided by the Turks, but this will be a bilateral dialogue",
    "these talks will take place with the mediation of the Armenian peacekeepers",
    "their protection will probably be provided by the Americans",
    "the French will not participate in a bilateral dialogue",
    "in which the Iranians will not participate",
    "as Erdogan said, Azerbaijan restored its sovereignty",
    "as Pashinyan said, there is no celebration for now",
    "We do not want to give the Kremlin any legitimacy",
    "the the the",
    "",
]


@pytest.mark.parametrize("fragment", INVENTED)
def test_invented_quotes_and_other_records_are_refused(fragment: str) -> None:
    """Invented quotes, negations of real ones, and words of terms or events score under the threshold."""
    assert all(
        item.score < WHO_SAID_THRESHOLD for item in attribution.who_said(fragment, BASE.quotes)
    )


def test_a_lacking_name_is_named() -> None:
    """The proper names a quote lacks are reported as typed; sentence starts and names the quote holds are not."""
    text = BASE.quotes[7].text
    assert attribution.lacking_names("Their protection is up to the Turks.", text) == ["Turks"]
    assert attribution.lacking_names("Turks will not participate", text) == []
    assert attribution.lacking_names("provided by Russia. Protection", text) == []


def test_negation_flip_scores_at_most_half() -> None:
    """Dropping the 'not' of a quote makes it say the opposite; it scores 50 at most."""
    assert attribution.attribution_score("the Russians will participate", BASE.quotes[7].text) <= 50


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("peacekeepers", "e-peacekeepers-video"),
        ("Yevlakh", "t-talks-yevlakh"),
        ("celebraton", "q-defender-no-celebration"),
        ("puppet government", "q-amirbayov-no-legitimacy"),
        ("disarmament", "t-dissolution-defense-army"),
    ],
)
def test_search_finds_words_with_typos(query: str, expected: str) -> None:
    """Each word of a search is found fuzzily, in any order."""
    from karabakh_cli.lookup import queries

    facts = loaded.LoadedBase(BASE, FACTS)
    hits, total = queries.search(
        facts, query, ["quote", "term", "event", "person"], loaded.Filters(), None
    )
    assert total == len(hits)
    assert expected in [hit.record.id for hit in hits]


@pytest.mark.parametrize("query", ["zebra", "Moscow", "nuclear weapons", "xyzzy"])
def test_search_for_absent_words_finds_nothing(query: str) -> None:
    """Words the base does not hold find nothing."""
    from karabakh_cli.lookup import queries

    facts = loaded.LoadedBase(BASE, FACTS)
    assert queries.search(
        facts, query, ["quote", "term", "event", "person"], loaded.Filters(), None
    ) == ([], 0)


NAME_PIECES = [
    "putin",
    "aliev",
    "aliyev",
    "ilham",
    "amirbayov",
    "elsin",
    "mr",
    "of",
    "russian",
    "Əliyev",
    "Путин",
    "defence",
    "army",
    "x",
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(NAME_PIECES) | st.text(min_size=1, max_size=8), min_size=1, max_size=3)
)
def test_the_fast_name_filter_never_drops_a_match(pieces: list[str]) -> None:
    """Pre-selecting spellings in C finds exactly what scoring every spelling finds."""
    query = " ".join(pieces)
    everyone = [
        m for m in match.match_people(query, BASE.people) if m.score >= match.NAME_THRESHOLD
    ]
    assert match.match_people(query, BASE.people, at_least=match.NAME_THRESHOLD) == everyone


spelling_words = st.sampled_from(
    [
        "of",
        "the",
        "Al",
        "al-Assad",
        "président",
        "O'Neil",
        "x\ny",
        "anna",
        "_",
        "ß",
        "—",
        "1",
        "",
        "²",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(spelling_words, max_size=5).map(" ".join), max_size=8))
def test_spellings_run_together_a_batch_at_once_as_one_at_a_time(spellings: list[str]) -> None:
    """Spellings run together by the shortcut for letters and digits between spaces equal
    their \\w runs run together: noise words, non-ASCII letters, punctuation, line breaks
    and runs of spaces included."""
    folded = [fold(spelling) for spelling in spellings]
    assert match.run_together(folded) == [
        "".join(word for word in match.WORD.findall(spelling) if word not in match.NAME_NOISE)
        for spelling in folded
    ]
