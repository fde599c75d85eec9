"""Every command's machine output, on the built-in base and on a generated one, against recorded
copies in tests/golden/: a refactor that changes no behaviour leaves them all the same.

Re-record deliberately, after an intended output change, with
``KB_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py -p no:cacheprovider``, then read the
diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FACTS, Invoke, bench_generator

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("KB_UPDATE_GOLDEN") == "1"
FORMATS = ("json", "jsonl", "csv", "plain", "markdown")
# A small generated base, fixed by the generator's default seed.
GENERATED_QUOTES = 60
# Stands for the temporary folder in recorded output, which differs from run to run.
TMP = "<tmp>"

Case = tuple[str, ...]


def listing(*commands: Case) -> list[Case]:
    """Each command in every machine format."""
    return [(*command, "--format", form) for command in commands for form in FORMATS]


def builtin_cases() -> list[Case]:
    """The built-in base: every lookup, including ones that find nothing or are unsure."""
    return [
        *listing(
            ("quote", "aliyev"),
            ("quote", "Amirbayov", "--since", "2023-09"),
            ("quote", "Pashinyan"),
            ("quote", "alyev"),
            ("quote", "putn"),
            ("quote", "Nobody", "Atall"),
            ("quote", "aliyev", "--place", "baku"),
            ("terms",),
            ("timeline",),
            ("timeline", "--since", "2023-09", "--until", "2023-09-21"),
            ("timeline", "--place", "yevlakh"),
            ("search", "ceasefire"),
            ("search", "--kind", "person", "aliyev"),
            ("search", "-n", "3", "peacekeepers", "withdrawal"),
            ("search", "zzqxv"),
            ("who-said", "people", "waiting", "for", "the"),
            ("who-said", "talks", "mediation", "leader"),
            ("who-said", "sovereignty", "restored", "--since", "2023-09-20"),
            ("who-said", "purple", "elephants", "dance"),
            ("people",),
            ("show", "q-aliyev-sovereignty"),
            ("show", "t-withdrawal-armenian-forces"),
            ("show", "e-independence-1991"),
            ("show", "ilham-aliyev"),
            ("show", "src-lemonde-2023-09-21"),
            ("show", "q-aliyev-soverenty"),
            ("show", "nothing-like-it"),
            ("sources",),
            ("disputes",),
            ("cite", "q-aliyev-sovereignty"),
            ("cite", "t-withdrawal-armenian-forces"),
            ("cite", "e-independence-1991"),
            ("cite", "ilham-aliyev"),
        ),
        *[
            ("cite", record, "--format", form)
            for record in (
                "q-aliyev-sovereignty",
                "t-withdrawal-armenian-forces",
                "e-yevlakh-talks",
            )
            for form in ("bibtex", "csl-json")
        ],
        ("schema",),
        ("validate", "--json"),
    ]


def generated_cases() -> list[Case]:
    """The generated base: the same commands on names and ids the generator makes."""
    speaker = bench_generator().speaker_name(3)
    return [
        *listing(
            ("quote", speaker),
            ("quote", speaker.split()[0].lower()),
            ("terms",),
            ("timeline", "--since", "2023-09-10", "--until", "2023-09-12"),
            ("search", "ceasefire", "sovereignty"),
            ("search", "--kind", "event", "-n", "5", "corridor"),
            ("who-said", "peacekeepers", "dialogue", "security"),
            ("people",),
            ("show", "q-7"),
            ("show", "e-2"),
            ("show", "t-0"),
            ("show", "p-3"),
            ("show", "src-synthetic"),
            ("sources",),
            ("disputes",),
            ("cite", "q-7"),
        ),
        ("cite", "q-7", "--format", "bibtex"),
        ("cite", "e-2", "--format", "csl-json"),
        ("validate", "--json"),
    ]


def broken_base(base: dict[str, Any]) -> dict[str, Any]:
    """The built-in base with a dangling speaker and source, a duplicate id, an unused person."""
    base["quotes"][0]["speaker"] = "nobody-known"
    base["quotes"][1]["id"] = base["quotes"][2]["id"]
    base["events"][0]["actors"] = [*base["events"][0]["actors"], "missing-actor"]
    base["people"].append(
        {**base["people"][0], "id": "never-referred-to", "name": "Never Referred", "aliases": []}
    )
    base["terms"][0]["source"] = "src-missing"
    return base


def changed_base(base: dict[str, Any]) -> dict[str, Any]:
    """The built-in base with a quote edited, a term moved, an event gone and a person added."""
    base["quotes"][0]["date"] = "2023-09-19"
    base["quotes"][0]["note"] = "Re-dated."
    base["terms"].append(base["terms"].pop(0))
    base["events"].pop()
    base["people"].append(
        {**base["people"][0], "id": "someone-new", "name": "Someone New", "aliases": []}
    )
    return base


def record(invoke: Invoke, cases: list[Case], folder: Path, facts: Path) -> dict[str, Any]:
    """Each case's exit code, stdout and stderr, with the temporary folder made stable."""

    def stable(text: str) -> str:
        return text.replace(str(folder), TMP)

    outcomes: dict[str, Any] = {}
    for case in cases:
        result = invoke(*case, env={"KB_FACTS": str(facts)})
        outcomes[stable(" ".join(case))] = {
            "exit_code": result.exit_code,
            "stdout": stable(result.stdout),
            "stderr": stable(result.stderr),
        }
    return outcomes


def compare(name: str, outcomes: dict[str, Any]) -> None:
    """Compare with the recorded copy, or record it when asked to."""
    path = GOLDEN / f"{name}.json"
    text = json.dumps(outcomes, ensure_ascii=False, indent=1) + "\n"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        # Compared with itself it could not fail: recording is not checking.
        pytest.skip(f"recorded {path.name}")
    recorded = json.loads(path.read_text(encoding="utf-8"))
    assert list(outcomes) == list(recorded), "the cases differ from the recorded ones"
    for case, outcome in outcomes.items():
        assert outcome == recorded[case], f"kb {case}"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A temporary folder holding a copy of the built-in base and its archives."""
    shutil.copytree(FACTS.parent / "sources", tmp_path / "sources")
    shutil.copyfile(FACTS, tmp_path / "facts.json")
    return tmp_path


def test_builtin_base_output_is_unchanged(invoke: Invoke, folder: Path) -> None:
    """Every command on a copy of the built-in base prints what was recorded."""
    compare("builtin", record(invoke, builtin_cases(), folder, folder / "facts.json"))


def test_generated_base_output_is_unchanged(invoke: Invoke, tmp_path: Path) -> None:
    """Every command on a small generated base prints what was recorded."""
    facts: Path = bench_generator().write(GENERATED_QUOTES, tmp_path)
    compare("generated", record(invoke, generated_cases(), tmp_path, facts))


def test_broken_base_findings_are_unchanged(
    invoke: Invoke, folder: Path, base: dict[str, Any]
) -> None:
    """kb validate, and lookups, on bases with broken references or fields report what was recorded."""
    broken = folder / "broken.json"
    broken.write_text(json.dumps(broken_base(base), indent=2, ensure_ascii=False), "utf-8")
    unreadable = folder / "unreadable.json"
    base["events"][1]["date"] = "2023-13-40"
    del base["quotes"][3]["text"]
    unreadable.write_text(json.dumps(base, indent=2, ensure_ascii=False), "utf-8")
    cases: list[Case] = [
        ("validate", "--json", str(broken)),
        ("validate", str(broken)),
        ("validate", "--json", str(unreadable)),
        ("validate", str(unreadable)),
    ]
    cases += listing(("quote", "aliyev"), ("people",))
    compare("broken", record(invoke, cases, folder, broken))


def test_diff_output_is_unchanged(invoke: Invoke, folder: Path, base: dict[str, Any]) -> None:
    """kb diff between the built-in base and an edited copy prints what was recorded."""
    changed = folder / "changed.json"
    changed.write_text(json.dumps(changed_base(base), indent=2, ensure_ascii=False), "utf-8")
    old = str(folder / "facts.json")
    cases = listing(("diff", old, str(changed)), ("diff", old, old))
    compare("diff", record(invoke, cases, folder, folder / "facts.json"))
