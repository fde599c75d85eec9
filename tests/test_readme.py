"""Every example in the README and docs/ is real: each ``$ kb ...`` block is run and compared.

Run with KB_UPDATE_README=1 to rewrite the blocks from kb's output after a deliberate change.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.conftest import KB, REPO, installed_env

README = REPO / "README.md"
# The pages the README links to for detail, whose examples are real output too.
PAGES = [README, *sorted((REPO / "docs").glob("*.md"))]
EXAMPLE = re.compile(r"```console\n\$ (kb [^\n]*)\n(.*?)```", re.S)
# The README was written from a checkout at this path; kb prints the built-in base's path.
README_ROOT = "/work/main"
ENV = installed_env(COLUMNS="80", FORCE_COLOR="", PYTHONUNBUFFERED="1")


def run(command: str) -> str:
    """kb's output as a terminal shows it: both streams, unbuffered, in the order written."""
    result = subprocess.run(
        [str(KB), *shlex.split(command)[1:]],
        cwd=REPO,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    return result.stdout.replace(str(REPO), README_ROOT)


EXAMPLES = [
    (page, command, shown)
    for page in PAGES
    for command, shown in EXAMPLE.findall(page.read_text(encoding="utf-8"))
]


def test_the_readme_has_examples() -> None:
    """The README shows at least one run of every command it documents."""
    assert sum(page == README for page, _, _ in EXAMPLES) >= 15


@pytest.mark.parametrize(
    ("page", "command", "shown"),
    EXAMPLES,
    ids=[f"{page.name}: {command}" for page, command, _ in EXAMPLES],
)
def test_readme_example_is_what_kb_prints(page: Path, command: str, shown: str) -> None:
    """The output under each command in the README and docs/ is exactly what it prints."""
    actual = run(command)
    if os.environ.get("KB_UPDATE_README"):
        text = page.read_text(encoding="utf-8")
        page.write_text(
            text.replace(f"$ {command}\n{shown}```", f"$ {command}\n{actual}```"), encoding="utf-8"
        )
        return
    assert actual == shown
