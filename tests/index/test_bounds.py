"""who-said's bounds counted on bitsets (index/bounds.py) equal summing them one posting at a
time (attribution.summing, the reference): the same quotes reaching every mark, the same
nearest misses with the same bounds to the last bit, on random bases of a few distinct words,
most quotes sharing their words and many their whole text."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from karabakh_cli.index import bounds
from karabakh_cli.lookup import attribution

# Few words, near each other (talks/talk, mediation/mediated), so that every quote holds a
# near word of most content words and bounds tie by the thousand.
WORDS = ["talks", "talk", "peace", "peacekeepers", "mediation", "mediated", "not", "the", "army"]

word_lists = st.lists(st.sampled_from(WORDS), min_size=1, max_size=10)


@st.composite
def bases(draw: st.DrawFn) -> list[list[str]]:
    """Quotes' words: a few distinct texts, each repeated across many quotes."""
    texts = draw(st.lists(word_lists, min_size=1, max_size=8))
    return draw(st.lists(st.sampled_from(texts), min_size=1, max_size=200))


def the_two(quotes: list[list[str]], first: int) -> tuple[attribution.Summing, attribution.Summing]:
    """The reference and the bitsets, over quotes at positions from ``first``."""
    held = [set(words) for words in quotes]

    def holding(word: str, among: attribution.Among) -> list[int]:
        return [
            first + index
            for index, words in enumerate(held)
            if word in words and all(words.intersection(group) for group in among)
        ]

    def holders(word: str) -> int:
        return bounds.bitset((first + i for i, words in enumerate(held) if word in words), first)

    return attribution.summing(holding), bounds.Bitsets(holders, first)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    bases(),
    word_lists.map(" ".join),
    st.integers(0, 70),
    st.floats(0, 100),
    st.integers(1, 40),
)
@example([["talks", "peace"]] * 30 + [["talk"]] * 30, "talks peace", 0, 74.94, 20)
def test_bitsets_sum_the_bounds_the_postings_do(
    quotes: list[list[str]], fragment: str, first: int, mark: float, count: int
) -> None:
    """At any mark, among its groups and among every quote: the same quotes reach it, and
    the same quotes, with the same bounds, are the closest."""
    content = attribution._content_words(attribution._words(fragment))
    if not content:
        return
    vocabulary = sorted({word for words in quotes for word in words})
    reference, bitsets = the_two(quotes, first)
    total = sum(map(len, content))
    weights = {word: len(word) * content.count(word) / total for word in dict.fromkeys(content)}
    near = {
        word: [
            (candidate, similarity)
            for candidate, similarity, _ in attribution.process.extract(
                word,
                vocabulary,
                scorer=attribution.fuzz.ratio,
                score_cutoff=attribution.WORD_THRESHOLD,
                limit=None,
            )
        ]
        for word in weights
    }
    groups = attribution._groups_to_hold(weights, near, mark)
    for among in [[], *([groups] if groups else [])]:
        expected, found = reference(weights, near, among), bitsets(weights, near, among)
        assert found.best(count) == expected.best(count)
        for at_least in (mark, mark - attribution._ROUNDING, 0.0, 100.0):
            assert found.reaching(at_least) == expected.reaching(at_least)


similarities = st.floats(70, 100).map(lambda value: round(value, 4))


@st.composite
def weighed(draw: st.DrawFn) -> tuple[attribution.Weights, attribution.Near]:
    """Any weights and similarities, not only those of words: terms whose steps round up by
    almost nothing beside terms that round up by almost a whole step."""
    content = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6, unique=True))
    shares = [draw(st.floats(0.01, 1)) for _ in content]
    weights = {word: share / sum(shares) for word, share in zip(content, shares, strict=True)}
    near = {
        word: sorted(
            (
                (candidate, draw(similarities))
                for candidate in draw(st.sets(st.sampled_from(WORDS)))
            ),
            key=lambda pair: -pair[1],
        )
        for word in content
    }
    return weights, near


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(bases(), weighed(), st.integers(1, 25), st.floats(0, 100))
# The first quote is counted a step higher than the second, whose bound is higher.
@example(
    [["talks", "peace"], ["army"]],
    (
        {"talks": 0.8, "peace": 0.2},
        {"talks": [("army", 90.5409), ("talks", 72.8158)], "peace": [("peace", 70.8504)]},
    ),
    1,
    72.43,
)
def test_any_terms_are_counted_as_summed(
    quotes: list[list[str]],
    weighed: tuple[attribution.Weights, attribution.Near],
    count: int,
    at_least: float,
) -> None:
    """With any weights and similarities, the closest quotes and those reaching a mark are
    the reference's, even where rounding up each term ranks two quotes the other way."""
    weights, near = weighed
    reference, bitsets = the_two(quotes, 0)
    expected, found = reference(weights, near, []), bitsets(weights, near, [])
    assert found.best(count) == expected.best(count)
    assert found.reaching(at_least) == expected.reaching(at_least)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(bases(), word_lists.map(" ".join), st.integers(0, 5), st.sampled_from([75.0, 90.0, 40.0]))
def test_the_quotes_chosen_are_those_of_a_whole_read(
    quotes: list[list[str]], fragment: str, first: int, at_least: float
) -> None:
    """quotes_to_score over the bitsets, narrowed to the groups at falling marks, chooses the
    quotes summing every posting of every quote does."""
    vocabulary = {word for words in quotes for word in words}
    reference, bitsets = the_two(quotes, first)
    assert attribution.quotes_to_score(fragment, vocabulary, bitsets, at_least) == (
        attribution.quotes_to_score(fragment, vocabulary, reference, at_least, narrows=False)
    )


def test_members_are_the_positions_set() -> None:
    """A bitset's members are the positions it was made from, in order, from any first."""
    positions = [3, 4, 11, 64, 65, 1000, 4095]
    assert list(bounds.members(bounds.bitset(positions, 3), 3)) == positions
    assert list(bounds.members(0, 0)) == []


def test_only_words_held_by_one_quote_in_the_share_are_stored() -> None:
    """A word held by fewer quotes than a bitset's bits would outweigh is left to its postings."""
    span = 10 * bounds.STORED_SHARE
    vocabulary = [("common", 10), ("rare", 9)]
    stored = dict(bounds.stored(vocabulary, span, lambda word: [0, 5]))
    assert stored == {"common": 0b100001}
