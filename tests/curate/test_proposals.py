"""kb add quotes: a proposal for every quotation of a source's archived text, with the speaker
the text names and never one it does not; on the built-in source and on articles written for
the tests (tests/data/proposals, its answers in expected.json)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from karabakh_cli.base import archive, factbase
from karabakh_cli.curate import proposing
from karabakh_cli.curate.proposing import Proposal
from karabakh_cli.lookup.loaded import LoadedBase
from karabakh_cli.text import normalise_quoting
from tests.conftest import ARCHIVES, FACTS, REPO

ARTICLES = REPO / "tests" / "data" / "proposals"
EXPECTED: dict[str, Any] = json.loads((ARTICLES / "expected.json").read_text(encoding="utf-8"))
BUILT_IN_SOURCE = "src-lemonde-2023-09-21"


def proposals(path: Path, source_id: str) -> list[Proposal]:
    facts = LoadedBase(factbase.load(path), path)
    source = facts.sources[source_id]
    assert source.archive is not None
    text = archive.read_text(path.parent, source.archive)
    return list(proposing.propose(facts, source, text))


def same(one: str, other: str) -> bool:
    return normalise_quoting(one).casefold() == normalise_quoting(other).casefold()


@pytest.fixture
def bare_built_in(tmp_path: Path) -> Path:
    """The built-in base without its quotes and terms, its archive beside it."""
    base = json.loads(FACTS.read_text(encoding="utf-8"))
    base["quotes"], base["terms"] = [], []
    shutil.copytree(ARCHIVES, tmp_path / "sources")
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(base, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_every_quote_of_the_built_in_base_is_found_in_the_base_with_its_speaker() -> None:
    """Each of the nine quotes is a proposal in-base, naming the record and its speaker."""
    found = proposals(FACTS, BUILT_IN_SOURCE)
    base = json.loads(FACTS.read_text(encoding="utf-8"))
    by_record = {proposal.record: proposal for proposal in found if proposal.record}
    for quote in base["quotes"]:
        proposal = by_record[quote["id"]]
        assert proposal.status == "in-base"
        assert proposal.speaker == quote["speaker"]
        assert same(proposal.text, quote["text"])


def test_nothing_is_proposed_twice_on_the_built_in_source() -> None:
    """No words, and no record of the base, come twice."""
    found = proposals(FACTS, BUILT_IN_SOURCE)
    words = [normalise_quoting(proposal.text).casefold() for proposal in found]
    assert len(words) == len(set(words))
    records = [proposal.record for proposal in found if proposal.record]
    assert len(records) == len(set(records))


def test_the_ceasefire_terms_are_terms_never_a_persons_quote(bare_built_in: Path) -> None:
    """In the base, the quoted terms are shown as the terms they are; without them, the
    document's words are proposed as a term, with no speaker."""
    in_base = [p for p in proposals(FACTS, BUILT_IN_SOURCE) if p.kind == "term"]
    assert {p.record for p in in_base} == {
        "t-withdrawal-armenian-forces",
        "t-dissolution-defense-army",
    }
    assert all(p.speaker is None for p in in_base)
    bare = proposals(bare_built_in, BUILT_IN_SOURCE)
    terms = [p for p in bare if "Withdrawal of Remaining Units" in p.text]
    assert len(terms) == 1
    assert (terms[0].kind, terms[0].speaker, terms[0].how) == ("term", None, "document")


def test_without_its_quotes_the_built_in_source_proposes_each_with_its_speaker(
    bare_built_in: Path,
) -> None:
    """Every quote's words stand in a proposal crediting the speaker the base records."""
    found = proposals(bare_built_in, BUILT_IN_SOURCE)
    for quote in json.loads(FACTS.read_text(encoding="utf-8"))["quotes"]:
        holding = [
            p for p in found if normalise_quoting(quote["text"]) in normalise_quoting(p.text)
        ]
        assert holding, quote["id"]
        assert holding[0].speaker == quote["speaker"], quote["id"]
        assert holding[0].status == "new"


def test_the_built_in_fragments_and_direct_quotations_are_told_apart() -> None:
    """Aliyev's words inside the report's own sentence are fragments; Putin's, direct."""
    found = {p.record: p for p in proposals(FACTS, BUILT_IN_SOURCE)}
    for fragment in ("q-aliyev-sovereignty", "q-aliyev-destroyed", "q-aliyev-lay-down-arms"):
        assert found[fragment].form == "fragment"
    for direct in ("q-putin-mediation", "q-defender-no-celebration", "q-amirbayov-two-or-three"):
        assert found[direct].form == "direct"


def test_the_date_and_medium_the_text_gives_are_taken_and_marked() -> None:
    """ "in a televised speech on Wednesday": the medium, and the Wednesday before the report."""
    aliyev = next(
        p for p in proposals(FACTS, BUILT_IN_SOURCE) if p.record == "q-aliyev-sovereignty"
    )
    assert (aliyev.date, aliyev.date_from, aliyev.date_said) == (
        "2023-09-20",
        "text",
        "on Wednesday",
    )
    assert aliyev.medium == "televised speech"
    putin = next(p for p in proposals(FACTS, BUILT_IN_SOURCE) if p.record == "q-putin-mediation")
    assert (putin.date, putin.date_from, putin.medium) == (
        "2023-09-21",
        "source",
        "Kremlin press release",
    )
    assert putin.place is None


CASES = [
    (source, case)
    for source, cases in EXPECTED.items()
    if source.startswith("src-")
    for case in cases
]


@pytest.mark.parametrize(("source", "case"), CASES, ids=[case["case"] for _, case in CASES])
def test_each_kind_of_quotation_is_proposed_with_the_speaker_the_text_names(
    source: str, case: dict[str, Any]
) -> None:
    """The article's quotation is proposed once, its speaker right; none where none is named."""
    found = [p for p in proposals(ARTICLES / "facts.json", source) if same(p.text, case["text"])]
    assert len(found) == 1, [p.text for p in proposals(ARTICLES / "facts.json", source)]
    assert found[0].speaker == case["speaker"]
    if found[0].kind == "quote":
        assert found[0].status == ("unresolved" if case["speaker"] is None else "new")


def test_a_pronoun_is_never_resolved_by_a_guess() -> None:
    """“She added”: unresolved, the pronoun and the names of the sentence before as hints."""
    (she,) = [
        p
        for p in proposals(ARTICLES / "facts.json", "src-ruritaniatimes-2023-09-21")
        if p.credited == "She"
    ]
    assert (she.speaker, she.status, she.how) == (None, "unresolved", "pronoun")


def test_a_new_person_is_proposed_with_the_role_the_text_gives() -> None:
    """ "Ruben Vardanyan, the region's former state minister, said on social media: …"."""
    (vardanyan,) = [
        p
        for p in proposals(ARTICLES / "facts.json", "src-ruritaniatimes-2023-09-21")
        if p.credited == "Ruben Vardanyan"
    ]
    assert vardanyan.new_person
    assert vardanyan.role == "Region's former state minister"
    assert vardanyan.medium == "social media"


def test_place_and_date_only_where_the_text_says_them() -> None:
    """ "said in Geneva on Tuesday": Geneva, and the Tuesday before the report; elsewhere none."""
    found = {p.text: p for p in proposals(ARTICLES / "facts.json", "src-ruritaniatimes-2023-09-21")}
    testova = found["The road to the capital is open again"]
    assert (testova.place, testova.date, testova.date_from) == ("Geneva", "2023-09-19", "text")
    kerbel = found["Nothing is settled yet."]
    assert (kerbel.place, kerbel.date_from, kerbel.medium) == (None, "source", "televised address")


def test_a_quotation_the_headline_repeats_is_proposed_once() -> None:
    """The headline's quote and the same words in the body: one proposal."""
    found = proposals(ARTICLES / "facts.json", "src-ruritaniatimes-2023-09-22")
    assert sum(same(p.text, "Peace is within reach") for p in found) == 1


def test_the_interviewers_questions_are_not_proposed() -> None:
    """An interview's questions are the paper's own words."""
    found = proposals(ARTICLES / "facts.json", "src-ruritaniatimes-2023-09-22")
    assert not any("?" in p.text for p in found)


def test_a_description_is_never_made_a_person() -> None:
    """ "said a spokesman for the delegation": unresolved, the description kept as credited."""
    (spokesman,) = [
        p
        for p in proposals(ARTICLES / "facts.json", "src-ruritaniatimes-2023-09-23")
        if p.how == "description"
    ]
    assert (spokesman.speaker, spokesman.status, spokesman.new_person) == (
        None,
        "unresolved",
        False,
    )


def test_a_documents_words_are_a_term_and_a_medium_stays_with_its_quotation() -> None:
    """ "According to the agreement, “…”" is a term; a post's medium is not the next quote's."""
    found = {p.text: p for p in proposals(ARTICLES / "facts.json", "src-ruritaniatimes-2023-09-23")}
    term = found["all units will withdraw within a week"]
    assert (term.kind, term.speaker, term.credited) == ("term", None, "According to the agreement")
    assert found["a betrayal"].medium == "post on Telegram"
    assert found["We were not consulted."].medium is None
    assert found["The door is open"].date == "2023-09-22"


def test_the_benchmark_runs_and_reports_its_figures(tmp_path: Path) -> None:
    """bench/proposals.py prints its table and the long article's time (no timed assertion)."""
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "proposals.py"),
            "--base-for-timing",
            str(tmp_path / "b"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "| articles written for the tests |" in done.stdout
    assert "-word article:" in done.stdout
