"""Synthetic fact bases for the benchmark: N quotes with people, events and terms in proportion.

Shapes (``SHAPES``): ``default`` has a tenth as many speakers as quotes; ``many-speakers`` one
speaker per quote, with two aliases each; ``quarter-speakers`` a speaker for every four quotes,
with two aliases each; ``long-texts`` quotes of about 2,000 characters;
``unused-people`` adds 50,000 people nothing refers to (``kb validate`` warns about each).
Every base has no errors: ids are unique, references resolve, each quote stands in its excerpt.
Deterministic for a given N and shape.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, TextIO

SHAPES = ("default", "many-speakers", "quarter-speakers", "long-texts", "unused-people")
UNUSED_PEOPLE = 50_000
LONG_TEXT = 2_000

WORDS = [
    "talks",
    "ceasefire",
    "sovereignty",
    "peacekeepers",
    "mediation",
    "dialogue",
    "security",
    "rights",
    "residents",
    "agreement",
    "withdrawal",
    "disarmament",
    "negotiations",
    "territory",
    "region",
    "army",
    "forces",
    "government",
    "representative",
    "president",
    "ministry",
    "defense",
    "civilians",
    "corridor",
    "humanitarian",
    "border",
    "troops",
    "statement",
    "press",
    "release",
    "interview",
    "televised",
    "speech",
    "outcome",
    "tomorrow",
    "bilateral",
    "leadership",
]
FIRST = [
    "Anna",
    "Boris",
    "Carmen",
    "Davit",
    "Elena",
    "Farid",
    "Gohar",
    "Hakob",
    "Irina",
    "Jamil",
    "Karen",
    "Leyla",
    "Mikael",
    "Nune",
]
LAST = [
    "Petrosyan",
    "Aliyeva",
    "Karimov",
    "Sargsyan",
    "Huseynov",
    "Grigoryan",
    "Mammadli",
    "Hovhannisyan",
    "Rustamov",
]


def speaker_name(index: int) -> str:
    """The name of person ``p-INDEX``, so the benchmark can look a speaker up by name."""
    return f"{FIRST[index % len(FIRST)]} {LAST[index // len(FIRST) % len(LAST)]} {index}"


def _person(index: int, source: str, aliases: list[str]) -> dict[str, Any]:
    name = speaker_name(index)
    return {
        "id": f"p-{index}",
        "name": name,
        "kind": "person",
        "role": "Synthetic speaker",
        "aliases": [f"{name} {alias}" for alias in aliases],
        "source": source,
        "excerpt": f"{name} spoke.",
    }


def generate(quotes: int, seed: int = 7, shape: str = "default") -> dict[str, Any]:
    """A fact base with ``quotes`` quotes, a fifth as many events, people as ``shape`` says."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; one of {', '.join(SHAPES)}")
    rng = random.Random(seed)
    source = "src-synthetic"
    speakers = {"many-speakers": quotes, "quarter-speakers": max(2, quotes // 4)}.get(
        shape, max(2, quotes // 10)
    )
    aliases = ["alias", "also"] if shape in ("many-speakers", "quarter-speakers") else ["alias"]
    people = [_person(index, source, aliases) for index in range(speakers)]

    def sentence(length: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(length)).capitalize()

    # About 9.5 characters a word, so 210 words make a text of about 2,000 characters.
    text_words = (200, 220) if shape == "long-texts" else (8, 20)
    quote_records = []
    for index in range(quotes):
        speaker = people[index % len(people)]
        text = sentence(rng.randint(*text_words))
        quote_records.append(
            {
                "id": f"q-{index}",
                "speaker": speaker["id"],
                "text": text,
                "date": f"2023-09-{rng.randint(1, 30):02d}",
                "place": rng.choice(["Baku", "Yerevan", "Moscow", None]),
                "medium": "statement",
                "source": source,
                "excerpt": f"{sentence(10)}. “{text}”, {speaker['name']} said. {sentence(12)}.",
            }
        )
    events = [
        {
            "id": f"e-{index}",
            "date": rng.choice(["2023", "2023-09", f"2023-09-{rng.randint(1, 30):02d}"]),
            "what": sentence(10),
            "where": rng.choice(["Yevlakh", "Baku", None]),
            "actors": [people[index % len(people)]["id"]],
            "source": source,
            "excerpt": sentence(15),
        }
        for index in range(quotes // 5)
    ]
    terms = []
    for index in range(max(1, quotes // 100)):
        text = sentence(12)
        terms.append(
            {
                "id": f"t-{index}",
                "text": text,
                "quoted": True,
                "source": source,
                "excerpt": f"The text provides “{text}”.",
            }
        )
    if shape == "unused-people":
        people += [_person(speakers + index, source, []) for index in range(UNUSED_PEOPLE)]
    return {
        "schema_version": 1,
        "sources": [
            {
                "id": source,
                "title": "Synthetic source",
                "publisher": "kb bench",
                "date": "2023-09-21",
                "language": "en",
                "url": None,
            }
        ],
        "people": people,
        "quotes": quote_records,
        "terms": terms,
        "events": events,
    }


def _dump(base: dict[str, Any], out: TextIO) -> None:
    """The base as one JSON object, a record at a time: a million quotes are never one string."""
    out.write("{")
    for number, (key, value) in enumerate(base.items()):
        out.write(f"{', ' if number else ''}{json.dumps(key)}: ")
        if isinstance(value, list):
            out.write("[")
            for index, record in enumerate(value):
                out.write(f"{', ' if index else ''}{json.dumps(record, ensure_ascii=False)}")
            out.write("]")
        else:
            out.write(json.dumps(value))
    out.write("}")


def write(quotes: int, folder: Path, shape: str = "default") -> Path:
    """The base of ``quotes`` quotes and ``shape`` in ``folder``, generated if not there yet."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"facts-{quotes}.json" if shape == "default" else f"facts-{shape}-{quotes}.json"
    path = folder / name
    if not path.exists():
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as out:
            _dump(generate(quotes, shape=shape), out)
        partial.replace(path)
    return path


# kb check's benchmark article: this many words, this many of its sentences quotations.
ARTICLE_WORDS = 5_000
ARTICLE_QUOTATIONS = 30


def article(base: dict[str, Any], seed: int = 7) -> str:
    """A news article of about ARTICLE_WORDS words quoting ARTICLE_QUOTATIONS of ``base``'s
    quotes: two in three verbatim and credited to their speaker, the others with a word
    changed or credited to another speaker, between paragraphs of filler."""
    rng = random.Random(seed)
    names = {person["id"]: person["name"] for person in base["people"]}
    quotes = rng.sample(base["quotes"], min(ARTICLE_QUOTATIONS, len(base["quotes"])))
    while len(quotes) < ARTICLE_QUOTATIONS:
        quotes.append(rng.choice(base["quotes"]))
    filler_words = (ARTICLE_WORDS - sum(len(q["text"].split()) + 2 for q in quotes)) // len(quotes)
    paragraphs = ["# What was said in Yevlakh"]
    for index, quote in enumerate(quotes):
        words = quote["text"].split()
        speaker = names[quote["speaker"]]
        if index % 6 == 4 and len(words) > 3:
            words[len(words) // 2] = "certainly"
        elif index % 6 == 5:
            speaker = names[rng.choice(base["quotes"])["speaker"]]
        filler = " ".join(rng.choice(WORDS) for _ in range(filler_words))
        paragraphs.append(f"{filler.capitalize()}. {speaker} said: “{' '.join(words)}”.")
    return "\n\n".join(paragraphs) + "\n"


def write_article(base_path: Path) -> Path:
    """The article for the base at ``base_path`` (facts.json, or a generated base) beside the
    generated bases, written if not there yet."""
    folder = Path(__file__).parent / "data"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"article-{base_path.stem}.md"
    if not path.exists():
        path.write_text(article(json.loads(base_path.read_text(encoding="utf-8"))), "utf-8")
    return path


if __name__ == "__main__":
    import argparse
    import sys

    if sys.argv[1:2] == ["article"]:
        # python bench/generate.py article BASE.json: kb check's article quoting that base.
        print(write_article(Path(sys.argv[2])))
        raise SystemExit(0)

    parser = argparse.ArgumentParser(
        description="Write generated fact bases into bench/data/ and print their paths.",
        usage="%(prog)s [SHAPE] [QUOTES ...]",
    )
    parser.add_argument(
        "words",
        nargs="*",
        metavar="[SHAPE] [QUOTES ...]",
        help=f"a shape ({', '.join(sorted(SHAPES))}; default: default), then how many quotes "
        "each base holds (default: 1000 10000 100000)",
    )
    words = parser.parse_args().words
    shape = words.pop(0) if words and words[0] in SHAPES else "default"
    if not all(word.isdigit() for word in words):
        parser.error(f"expected numbers of quotes, got {' '.join(words)!r}")
    for count in map(int, words or ["1000", "10000", "100000"]):
        print(write(count, Path(__file__).parent / "data", shape))
