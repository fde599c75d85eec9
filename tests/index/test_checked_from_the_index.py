"""kb check and who-said answered from the index equal reading the base whole, on random bases
of a few distinct words whose quotes share their texts: every quotation's verdict, quote,
candidates and the other quotes it stands in, in the same order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from karabakh_cli.index import bounds, loading, location, needs
from karabakh_cli.lookup import attribution, checking
from karabakh_cli.model import Person
from tests.conftest import answered_from_the_index
from tests.index.conftest import no_say, whole

WORDS = ["talks", "talk", "peace", "peacekeepers", "mediation", "mediated", "not", "army"]
NAMES = ["Anna Petrosyan", "Boris Karimov", "Carmen Aliyeva", "Davit Sargsyan"]

texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=9).map(" ".join)


@st.composite
def bases(draw: st.DrawFn) -> dict[str, Any]:
    """A base of a few distinct texts, most said again and again, by a few speakers."""
    speakers = draw(st.integers(1, len(NAMES)))
    people = [
        {
            "id": f"p-{number}",
            "name": name,
            "kind": "person",
            "role": None,
            "aliases": [],
            "source": "src-a",
            "excerpt": f"{name} spoke.",
        }
        for number, name in enumerate(NAMES[:speakers])
    ]
    distinct = draw(st.lists(texts, min_size=1, max_size=5))
    quotes = []
    for number in range(draw(st.integers(1, 40))):
        text = draw(st.sampled_from(distinct))
        speaker = draw(st.integers(0, speakers - 1))
        quotes.append(
            {
                "id": f"q-{number}",
                "speaker": f"p-{speaker}",
                "text": text,
                "date": "2023-09-20",
                "place": None,
                "medium": "statement",
                "source": "src-a",
                "excerpt": f"“{text}”, {NAMES[speaker]} said.",
            }
        )
    source = {
        "id": "src-a",
        "title": "T",
        "publisher": "P",
        "date": "2023",
        "language": "en",
        "url": None,
    }
    return {
        "schema_version": 1,
        "sources": [source],
        "people": people,
        "quotes": quotes,
        "terms": [],
        "events": [],
    }


@st.composite
def quotations(draw: st.DrawFn, base: dict[str, Any]) -> str:
    """A quotation of a quote of ``base`` as an article might give it: whole, in part, with a
    word changed, inside words of its own, or words of nobody's."""
    words = draw(st.sampled_from(base["quotes"]))["text"].split()
    start = draw(st.integers(0, len(words) - 1))
    end = draw(st.integers(start + 1, len(words)))
    part = words[start:end]
    changed = [*part]
    changed[draw(st.integers(0, len(part) - 1))] = draw(st.sampled_from(WORDS))
    shapes = [
        words,
        part,
        changed,
        [*draw(st.lists(st.sampled_from(WORDS), max_size=2)), *words, "today"],
        draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=9)),
    ]
    return " ".join(draw(st.sampled_from(shapes)))


class Indexed:
    """checking.Base from the index, a lookup a quotation, as kb check asks it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def candidates(self, fragment: str) -> list[checking.Candidate]:
        facts = loading.load(self.path, needs.ByFragment(fragment), no_say)
        return checking.WholeBase(facts).candidates(fragment)

    def named(self, name: str) -> list[Person]:
        return checking.WholeBase(loading.load(self.path, needs.ByName(name), no_say)).named(name)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), base=bases(), share=st.sampled_from([0, bounds.STORED_SHARE, 10**9]))
def test_check_from_the_index_equals_a_whole_read(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    data: st.DataObject,
    base: dict[str, Any],
    share: int,
) -> None:
    """Every quotation of an article checks the same from the index as from the whole base,
    whichever words have their bitsets stored (none, the frequent ones, all)."""
    monkeypatch.setattr(location, "FROM_BYTES", 0)
    monkeypatch.setattr(bounds, "STORED_SHARE", share)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(base, ensure_ascii=False), encoding="utf-8")
    loading.load(path, None, no_say)
    asked = data.draw(st.lists(quotations(base), min_size=1, max_size=6))
    names = data.draw(
        st.lists(st.sampled_from([*NAMES, "He"]), min_size=len(asked), max_size=len(asked))
    )
    article = "\n\n".join(
        f"{name} said: “{quotation}”." for name, quotation in zip(names, asked, strict=True)
    )
    expected = list(checking.check(article, checking.WholeBase(whole(path))))
    quotes = whole(path).content.quotes
    with answered_from_the_index():
        assert list(checking.check(article, Indexed(path))) == expected
        for fragment in asked:
            found = loading.load(path, needs.ByFragment(fragment), no_say).content.quotes
            assert attribution.who_said(fragment, found) == attribution.who_said(fragment, quotes)
