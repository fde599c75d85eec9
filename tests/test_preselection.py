"""The fast paths of matching never change an answer: on random bases, who-said and name
look-ups equal a brute-force scan that scores every quote and every spelling."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from karabakh_cli import match
from karabakh_cli.model import Quote

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


def brute_force_who_said(fragment: str, quotes: list[Quote]) -> list[tuple[float, str]]:
    scored = [(match.attribution_score(fragment, quote.text), quote.id) for quote in quotes]
    return sorted(
        (score, quote_id) for score, quote_id in scored if score >= match.WHO_SAID_THRESHOLD
    )


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texts, min_size=1, max_size=30), texts)
def test_who_said_finds_every_quote_a_full_scan_finds(
    quote_texts: list[str], fragment: str
) -> None:
    """Every quote scoring at least the threshold is in the answer, with the same score."""
    quotes = [quote(index, text) for index, text in enumerate(quote_texts)]
    answer = match.who_said(fragment, quotes)
    found = sorted(
        (item.score, item.quote.id) for item in answer if item.score >= match.WHO_SAID_THRESHOLD
    )
    assert found == brute_force_who_said(fragment, quotes)
    assert [item.score for item in answer] == sorted((item.score for item in answer), reverse=True)


def test_who_said_finds_a_paraphrase_behind_thousands_of_near_misses() -> None:
    """Quotes sharing more exact words with the fragment, yet scoring under the threshold,
    do not crowd out the one quote that matches it word for word, fuzzily."""
    quotes = [
        quote(index, f"mediation russian peacekeepers talks {index}") for index in range(3000)
    ]
    quotes.append(quote(3000, "mediated by russian peacekeepers and their leaders"))
    fragment = "mediation of the Russian peacekeepers' leadership"
    answer = match.who_said(fragment, quotes)
    assert (answer[0].quote.id, answer[0].score) == ("q-3000", 88.4)
    assert [(item.score, item.quote.id) for item in answer[:1]] == brute_force_who_said(
        fragment, quotes
    )


def test_who_said_names_a_nearest_miss_when_nothing_reaches_the_threshold() -> None:
    """With no quote at the threshold, the closest are still scored for the caller to name."""
    quotes = [quote(0, "talks about the weather"), quote(1, "nothing in common")]
    answer = match.who_said("talks ceasefire mediation", quotes)
    assert [item.quote.id for item in answer] == ["q-0"]
    assert answer[0].score < match.WHO_SAID_THRESHOLD
