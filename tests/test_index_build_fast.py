"""The index build's shortcuts: records kept as the file writes them, the first answer from the
index just built. Each gives what reading the base whole gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from karabakh_cli.index import loading, needs
from karabakh_cli.lookup import match
from karabakh_cli.text import fold
from tests.conftest import bench_generator
from tests.test_index import NAME, no_say, quote_rows, show_rows, whole


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
    for record_id in ("q-7", "p-3", "t-4", "e-9", "src-synthetic"):
        facts = loading.load(reformatted, needs.ById(record_id), no_say)
        assert show_rows(facts, record_id) == show_rows(whole(reformatted), record_id)


@pytest.mark.parametrize("name", [NAME, "Davit Pétrosyan", "dávit three", "Nobody Atall"])
def test_the_first_lookup_answers_as_a_whole_read(
    reformatted: Path, cache: Path, name: str
) -> None:
    """On a fresh cache the lookup that builds the index answers as a whole read would."""
    facts = loading.load(reformatted, needs.ByName(name), no_say)
    assert any(cache.rglob("*.sqlite"))
    assert quote_rows(facts, name) == quote_rows(whole(reformatted), name)


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
