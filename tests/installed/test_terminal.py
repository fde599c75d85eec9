"""The installed kb writing to a terminal: a bare citation, and messages wrapped between words
at the terminal's width."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import KB, installed_env, run_captured
from tests.installed.conftest import run_on_a_terminal


def test_cite_on_a_terminal_prints_the_bare_citation(tmp_path: Path) -> None:
    """The installed kb cite, writing to a terminal 60 columns wide, prints one unboxed line."""
    code, shown = run_on_a_terminal(["cite", "q-putin-mediation"], tmp_path, 60)
    assert code == 0
    lines = shown.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Vladimir Putin (President of Russia), Kremlin press release")
    assert lines[0].endswith("2023-09-21.")
    assert not set(lines[0]) & set("│╭╮╰╯─┃━")


LONG_MESSAGES = [
    ["who-said", "the russians wont take part in this bilateral dialogue at all"],
    ["quote", "Nobody-at-all", "Whatsoever"],
    ["timeline", "--since", "2023-09-30", "--until", "2023-09-01"],
]


@pytest.mark.parametrize("width", [40, 60, 80])
@pytest.mark.parametrize("args", LONG_MESSAGES, ids=" ".join)
def test_messages_wrap_between_words_on_a_terminal(
    tmp_path: Path, args: list[str], width: int
) -> None:
    """On a terminal each stderr line fits, continuation lines are indented, and the words
    joined back are exactly the one line a pipe gets."""
    code, shown = run_on_a_terminal(args, tmp_path, width, stream="stderr")
    piped = run_captured(
        [str(KB), *args],
        cwd=tmp_path,
        env=installed_env(COLUMNS=str(width)),
    )
    assert code == piped.returncode != 0
    assert len(piped.stderr.splitlines()) == len(
        [line for line in shown.splitlines() if line.startswith("kb: ")]
    )
    lines = shown.splitlines()
    if any(len(line) > width for line in piped.stderr.splitlines()):
        assert len(lines) > len(piped.stderr.splitlines())
    for line in lines:
        assert len(line) <= width or " " not in line.strip(), line
        assert line.startswith(("kb: ", "    ")), line
    assert " ".join(shown.split()) == " ".join(piped.stderr.split())
