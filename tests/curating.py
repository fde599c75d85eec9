"""A small fact base with an archived source, made with kb itself, for the write tests."""

from __future__ import annotations

import shlex
from pathlib import Path

from typer.testing import CliRunner

from karabakh_cli.cli.app import app
from tests.conftest import STABLE_ENV

# An invented report: typographic quotation marks, a title with a full stop (Mr., Gen.),
# an exclamation, a headline without a full stop and a blank line between paragraphs.
ARTICLE = """Talks in Yevlakh

The talks opened on Thursday. “We have restored our sovereignty,” said Ivana Testova, the \
foreign minister of Ruritania, in a televised address. Mr. Kerbel, her deputy, was less sure: \
“Nothing is settled yet.” Gen. Olaf Brandt said nothing at all.

Ruritania and Grand Fenwick agreed that all units will withdraw within a week. The ceasefire
held overnight!
"""
SOURCE_ID = "src-ruritaniatimes-2023-09-21"


def kb(facts: Path, *args: str) -> tuple[int, str, str]:
    """Run kb in-process against ``facts``: exit code, stdout, stderr."""
    result = CliRunner().invoke(app, ["--facts", str(facts), *args], env=STABLE_ENV)
    return result.exit_code, result.stdout, result.stderr


def make_base(folder: Path, *, with_people: bool = True) -> Path:
    """A new base in ``folder`` with the article as its archived source, and its people."""
    facts = folder / "facts.json"
    article = folder / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    steps = [
        f"init {facts}",
        'add source --title "Talks open" --publisher "Ruritania Times" --date 2023-09-21 '
        f"--text {article}",
    ]
    if with_people:
        steps += [
            f'add person --name "Ivana Testova" --role "Foreign minister" --source {SOURCE_ID}',
            'add person --name "Anton Kerbel" --alias "Mr. Kerbel" '
            f'--role "Deputy foreign minister" --source {SOURCE_ID}',
        ]
    for step in steps:
        code, _, stderr = kb(facts, *shlex.split(step))
        assert code == 0, stderr
    return facts
