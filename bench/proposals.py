"""kb add quotes, measured: precision and recall of the quotations it proposes, the share of
speakers it names right, and how long a 5,000-word article's proposals take.

The answers are tests/data/proposals/expected.json (the articles written for the tests) and,
for the built-in source, the built-in base's own quotes and terms. A quotation is found when a
proposal's words are the expected words (quotation marks, whitespace and case aside). A speaker
is right when the proposal names the expected person (an id, or a new person's name as the
text writes it); guessed when the text names nobody and the proposal names someone.

Usage: python bench/proposals.py [--base-for-timing DIR]

With --base-for-timing, also writes DIR/facts.json, a base whose source is the 5,000-word
article, and prints the command whose whole process to time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from karabakh_cli.base import archive, factbase
from karabakh_cli.cli.app import app
from karabakh_cli.curate import proposing
from karabakh_cli.lookup.loaded import LoadedBase
from karabakh_cli.text import normalise_quoting

REPO = Path(__file__).resolve().parent.parent
ARTICLES = REPO / "tests" / "data" / "proposals"
WORDS = 5_000
RUNS = 5


def key(text: str) -> str:
    return normalise_quoting(text).casefold()


def proposed(path: Path, source_id: str) -> list[proposing.Proposal]:
    facts = LoadedBase(factbase.load(path), path)
    source = facts.sources[source_id]
    assert source.archive is not None
    text = archive.read_text(path.parent, source.archive)
    return list(proposing.propose(facts, source, text))


def score(
    name: str, expected: list[dict[str, Any]], found: list[proposing.Proposal]
) -> dict[str, Any]:
    """One row of the table: what was expected, found, and named right."""
    by_words = {key(proposal.text): proposal for proposal in found}
    matched = [item for item in expected if key(item["text"]) in by_words]
    named = [item for item in matched if item["speaker"] is not None]
    right = [item for item in named if by_words[key(item["text"])].speaker == item["speaker"]]
    unnamed = [item for item in matched if item["speaker"] is None]
    guessed = [item for item in unnamed if by_words[key(item["text"])].speaker is not None]
    expected_words = {key(item["text"]) for item in expected}
    return {
        "article": name,
        "expected": len(expected),
        "proposed": len(found),
        "precision": sum(key(p.text) in expected_words for p in found) / len(found)
        if found
        else 1.0,
        "recall": len(matched) / len(expected),
        "named": len(named),
        "right": len(right),
        "unnamed": len(unnamed),
        "guessed": len(guessed),
    }


def built_in() -> dict[str, Any]:
    facts = REPO / "facts.json"
    base = json.loads(facts.read_text(encoding="utf-8"))
    expected = [
        *({"text": quote["text"], "speaker": quote["speaker"]} for quote in base["quotes"]),
        *({"text": term["text"], "speaker": None} for term in base["terms"] if term["quoted"]),
        # The subheading's quotation (For Baku, “clear military victory”), which names nobody
        # and which the base does not curate.
        {"text": "clear military victory", "speaker": None},
    ]
    found = proposed(facts, "src-lemonde-2023-09-21")
    return score("built-in source (Le Monde)", expected, found)


def article_of(words: int) -> str:
    """A long article: the test articles' paragraphs over and over, each time with other
    words inside the quotations (numbered), between paragraphs of the report's own prose."""
    paragraphs = []
    for path in sorted((ARTICLES / "sources").glob("*.txt")):
        paragraphs += [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    filler = (
        "The talks went on late into the night, and the delegations met again the next "
        "morning to go over the maps of the region and the lists of prisoners."
    )
    made: list[str] = []
    count, round_ = 0, 0
    while count < words:
        round_ += 1
        for paragraph in paragraphs:
            made += [paragraph.replace("“", f"“{round_} "), filler]
            count += len(paragraph.split()) + len(filler.split())
    return "\n\n".join(made) + "\n"


def timing_base(folder: Path) -> tuple[Path, str]:
    """A copy of the test articles' base with the long article as a source of its own."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(ARTICLES, folder)
    text = folder / "long.txt"
    text.write_text(article_of(WORDS), encoding="utf-8")
    facts = folder / "facts.json"
    made = CliRunner().invoke(
        app,
        [
            "--facts",
            str(facts),
            "add",
            "source",
            "--title",
            "Long",
            "--publisher",
            "Bench",
            "--date",
            "2023-09-21",
            "--text",
            str(text),
            "--json",
        ],
    )
    assert made.exit_code == 0, made.stderr
    return facts, "src-bench-2023-09-21"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-for-timing", type=Path)
    args = parser.parse_args()
    expected = json.loads((ARTICLES / "expected.json").read_text(encoding="utf-8"))
    rows = [built_in()]
    for source_id, cases in expected.items():
        if source_id.startswith("src-"):
            rows.append(score(source_id, cases, proposed(ARTICLES / "facts.json", source_id)))
    articles = rows[1:]
    total = {
        "article": "articles written for the tests",
        "expected": sum(r["expected"] for r in articles),
        "proposed": sum(r["proposed"] for r in articles),
        "precision": sum(r["precision"] * r["proposed"] for r in articles)
        / sum(r["proposed"] for r in articles),
        "recall": sum(r["recall"] * r["expected"] for r in articles)
        / sum(r["expected"] for r in articles),
        **{
            field: sum(r[field] for r in articles)
            for field in ("named", "right", "unnamed", "guessed")
        },
    }
    print("| source | expected | proposed | precision | recall | speakers right | guessed |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in [*rows, total]:
        print(
            f"| {row['article']} | {row['expected']} | {row['proposed']} | "
            f"{row['precision']:.0%} | {row['recall']:.0%} | {row['right']}/{row['named']} | "
            f"{row['guessed']}/{row['unnamed']} |"
        )
    folder = args.base_for_timing or Path(__file__).parent / "data" / "proposals"
    facts, source_id = timing_base(folder)
    seconds = []
    for _ in range(RUNS):
        start = time.perf_counter()
        found = proposed(facts, source_id)
        seconds.append(time.perf_counter() - start)
    words = len(article_of(WORDS).split())
    print(
        f"\n{words:,}-word article: {len(found)} proposals in {statistics.median(seconds):.3f} s "
        f"(median of {RUNS}, in process; goal ≤ 1 s)"
    )
    print(
        f"whole process: {sys.executable} -m karabakh_cli --facts {facts} add quotes "
        f"--source {source_id} --format jsonl"
    )


if __name__ == "__main__":
    main()
