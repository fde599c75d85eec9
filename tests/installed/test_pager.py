"""A table taller than the terminal goes through a pager, as git's and gh's do: KB_PAGER, then
PAGER, then less; --no-pager or an empty KB_PAGER writes it straight; a pipe is never paged."""

from __future__ import annotations

import os
import pty
import select
import subprocess
from pathlib import Path

import pytest

from tests.conftest import KB, installed_env, run_captured

MARKING = "sed s/^/PAGED:/"


def on_a_terminal(args: list[str], cwd: Path, *, unset: tuple[str, ...] = (), **env: str) -> str:
    """What the installed kb shows on a 80 × 24 terminal, its stdin and stdout the terminal;
    ``unset`` names variables taken out of its environment."""
    controller, terminal = pty.openpty()
    settings = installed_env(COLUMNS="80", LINES="24", **env)
    for name in unset:
        settings.pop(name, None)
    with subprocess.Popen(
        [str(KB), *args], cwd=cwd, env=settings, stdin=terminal, stdout=terminal,
        stderr=subprocess.DEVNULL,
    ) as process:  # fmt: skip
        os.close(terminal)
        shown = bytearray()
        while select.select([controller], [], [], 30)[0]:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closes when kb exits
                break
            if not chunk:
                break
            shown += chunk
        process.wait(timeout=60)
    os.close(controller)
    return shown.decode(errors="replace")


def test_a_table_taller_than_the_terminal_is_paged(tmp_path: Path) -> None:
    shown = on_a_terminal(["people"], tmp_path, KB_PAGER=MARKING)
    lines = [line for line in shown.splitlines() if line.strip()]
    assert len(lines) > 24
    assert all(line.startswith("PAGED:") for line in lines)


def test_pager_is_the_fallback_and_kb_pager_wins(tmp_path: Path) -> None:
    assert "PAGED:" in on_a_terminal(["people"], tmp_path, unset=("KB_PAGER",), PAGER=MARKING)
    assert "PAGED:" not in on_a_terminal(["people"], tmp_path, PAGER=MARKING, KB_PAGER="cat")


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["quote", "putin"], {"KB_PAGER": MARKING}),
        (["--no-pager", "people"], {"KB_PAGER": MARKING}),
        (["people"], {"KB_PAGER": ""}),
    ],
)
def test_a_short_table_or_no_pager_is_written_straight(
    tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    shown = on_a_terminal(args, tmp_path, **env)
    assert "PAGED:" not in shown
    assert shown.strip()


def test_a_pipe_is_never_paged(tmp_path: Path) -> None:
    result = run_captured(
        [str(KB), "people", "--format", "table"], cwd=tmp_path, env=installed_env(KB_PAGER=MARKING)
    )
    assert result.returncode == 0
    assert "PAGED:" not in result.stdout


def test_a_pager_that_is_missing_leaves_the_table_on_the_terminal(tmp_path: Path) -> None:
    shown = on_a_terminal(["people"], tmp_path, KB_PAGER="no-such-pager-anywhere")
    assert "Vladimir Putin" in shown
