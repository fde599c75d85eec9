"""Synthetic fact bases for the benchmark: N quotes with people, events and terms in proportion.

Every base passes ``kb validate``: ids are unique, references resolve, each quote stands in its
excerpt. Deterministic for a given N.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

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


def generate(quotes: int, seed: int = 7) -> dict[str, Any]:
    """A valid fact base with ``quotes`` quotes, a tenth as many people, a fifth as many events."""
    rng = random.Random(seed)
    source = "src-synthetic"
    people = []
    for index in range(max(2, quotes // 10)):
        name = speaker_name(index)
        people.append(
            {
                "id": f"p-{index}",
                "name": name,
                "kind": "person",
                "role": "Synthetic speaker",
                "aliases": [f"{name} alias"],
                "source": source,
                "excerpt": f"{name} spoke.",
            }
        )

    def sentence(length: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(length)).capitalize()

    quote_records = []
    for index in range(quotes):
        speaker = people[index % len(people)]
        text = sentence(rng.randint(8, 20))
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


def write(quotes: int, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"facts-{quotes}.json"
    if not path.exists():
        path.write_text(json.dumps(generate(quotes), ensure_ascii=False), encoding="utf-8")
    return path


if __name__ == "__main__":
    for count in map(int, sys.argv[1:] or ["1000", "10000", "100000"]):
        print(write(count, Path(__file__).parent / "data"))
