"""A reader that closes the pipe early is not an error: the installed kb exits quietly with
the code of what it found, every time."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import KB, run_captured

ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
ENV.pop("KB_FACTS", None)
# `true` exits at once, mostly before kb writes: each run is a race kb must win every time.
RUNS = 30


def pipeline(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in bash with pipefail, so its status is kb's."""
    return run_captured(
        ["bash", "-c", "set -o pipefail; " + command.format(kb=KB)],
        cwd=cwd,
        env=ENV,
    )


@pytest.mark.parametrize(
    ("command", "code", "said"),
    [
        ("{kb} timeline | true", 0, ""),
        ("{kb} people --format jsonl | true", 0, ""),
        ("{kb} people --json | true", 0, ""),
        ("{kb} timeline --since 2030 --json | true", 1, "kb: no events match"),
        ("{kb} quote Putin --format table | true", 0, ""),
        ("{kb} cite q-putin-mediation --format bibtex | true", 0, ""),
        ("{kb} quote Nobody | true", 1, "kb: no speaker matches 'Nobody'"),
    ],
)
def test_closed_pipe_exits_with_what_was_found_every_time(
    tmp_path: Path, command: str, code: int, said: str
) -> None:
    """Thirty runs into a reader that is already gone: always the found/not-found code, and
    only the one line saying why nothing was found."""
    for _ in range(RUNS):
        result = pipeline(command, tmp_path)
        assert result.returncode == code
        if code == 0:
            assert result.stderr == ""
        else:
            assert result.stderr.startswith(said)
            assert result.stderr.count("\n") == 1


def test_closed_pipe_after_some_output_is_quiet(tmp_path: Path) -> None:
    """A reader that takes one byte of a long listing and leaves: exit 0, nothing on stderr."""
    result = pipeline("{kb} search the --limit 0 --format jsonl | head -c 1 >/dev/null", tmp_path)
    assert result.returncode == 0
    assert result.stderr == ""


def test_closed_stderr_is_quiet(tmp_path: Path) -> None:
    """A message to a closed stderr does not turn a refusal into another error."""
    result = pipeline("{kb} quote Nobody 2>&1 >/dev/null | true", tmp_path)
    assert result.returncode == 1
