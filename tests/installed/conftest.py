"""The installed kb on a pseudo-terminal, for the tests of this folder."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.conftest import KB, installed_env


def run_on_a_terminal(
    args: Sequence[str], cwd: Path, width: int, *, stream: str = "stdout"
) -> tuple[int, str]:
    """The installed kb's exit code and what it writes to ``stream`` ("stdout" or "stderr"),
    a terminal ``width`` columns wide; the other stream goes nowhere."""
    controller, terminal = pty.openpty()
    env = installed_env(COLUMNS=str(width), LINES="24")
    streams: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    streams[stream] = terminal
    with subprocess.Popen([str(KB), *args], cwd=cwd, env=env, **streams) as process:
        os.close(terminal)
        shown = bytearray()
        read_terminal(controller, shown)
        code = process.wait(timeout=60)
    os.close(controller)
    return code, shown.decode().replace("\r\n", "\n")


def read_terminal(fd: int, seen: bytearray, until: bytes | None = None) -> None:
    """Read a pseudo-terminal into ``seen``: until ``until`` has appeared (kb waits for an
    answer), or to its end (kb has exited). A minute without it fails the test."""
    deadline = time.monotonic() + 60
    while until is None or until not in seen:
        assert time.monotonic() < deadline, seen.decode(errors="replace")
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the terminal closes when kb exits
            break
        if not chunk:
            break
        seen += chunk
    assert until is None or until in seen, seen.decode(errors="replace")
