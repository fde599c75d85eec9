"""A reader that closes the pipe early is not an error: the installed kb exits quietly with
the code of what it found, every time, also on an indexed base."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import KB, STABLE_ENV, installed_env, run_captured

# `true` exits at once, mostly before kb writes: each run is a race kb must win every time. The
# race's worst case, a reader gone before kb writes a byte, is also run deterministically (a pipe
# whose read end is closed before kb starts), so a few races suffice: 30 took a sixth of the suite.
RUNS = 5


def pipeline(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in bash with pipefail, so its status is kb's."""
    return run_captured(
        ["bash", "-c", "set -o pipefail; " + command.format(kb=KB)],
        cwd=cwd,
        env=installed_env(),
    )


def into_a_closed_pipe(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the kb command line before the `|` of ``command`` with its stdout a pipe that no one
    will ever read: every write kb makes fails, as when the reader left before the first."""
    import os
    import shlex

    argv = shlex.split(command.split("|")[0].format(kb=KB))
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            argv,
            cwd=cwd,
            env=installed_env(),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)


def pipeline_runs(command: str, cwd: Path) -> list[tuple[int, str]]:
    """Run ``command`` RUNS times over from one bash, each time with pipefail so its status is
    kb's: each run's status and what it wrote to stderr. One loop in bash, not a process
    started from Python for each run, and each run still a kb of its own."""
    runs = cwd / "runs"
    runs.mkdir()
    loop = (
        f"for run in $(seq {RUNS}); do "
        f'(set -o pipefail; {command.format(kb=KB)}) 2>"{runs}/$run.err"; '
        f'echo $? >"{runs}/$run.status"; '
        "done"
    )
    looped = run_captured(["bash", "-c", loop], cwd=cwd, env=installed_env(), timeout=RUNS * 10)
    assert looped.returncode == 0, looped.stderr
    return [
        (
            int((runs / f"{run}.status").read_text(encoding="utf-8")),
            (runs / f"{run}.err").read_text(encoding="utf-8"),
        )
        for run in range(1, RUNS + 1)
    ]


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
    """Runs into a reader that is gone, or going: always the found/not-found code, and only
    the one line saying why nothing was found."""
    closed = into_a_closed_pipe(command, tmp_path)
    outcomes = [(closed.returncode, closed.stderr), *pipeline_runs(command, tmp_path)]
    assert len(outcomes) == RUNS + 1
    for status, stderr in outcomes:
        assert status == code
        if code == 0:
            assert stderr == ""
        else:
            assert stderr.startswith(said)
            assert stderr.count("\n") == 1


def test_closed_pipe_after_some_output_is_quiet(tmp_path: Path) -> None:
    """A reader that takes one byte of a long listing and leaves: exit 0, nothing on stderr."""
    result = pipeline("{kb} search the --limit 0 --format jsonl | head -c 1 >/dev/null", tmp_path)
    assert result.returncode == 0
    assert result.stderr == ""


def test_closed_stderr_is_quiet(tmp_path: Path) -> None:
    """A message to a closed stderr does not turn a refusal into another error."""
    result = pipeline("{kb} quote Nobody 2>&1 >/dev/null | true", tmp_path)
    assert result.returncode == 1


@pytest.mark.parametrize(
    "pipeline",
    [
        "{kb} timeline | head -n 1",
        "{kb} quote putin --json | true",
        "{kb} people --format csv | head -c 10",
    ],
)
def test_closed_pipe_is_quiet(tmp_path: Path, pipeline: str) -> None:
    """A reader that stops early leaves nothing on stderr."""
    result = run_captured(
        ["bash", "-c", "set -o pipefail; " + pipeline.format(kb=KB) + " >/dev/null"],
        cwd=tmp_path,
        env=installed_env(),
    )
    assert result.stderr == ""


@pytest.mark.parametrize("fmt", ["jsonl", "json", "plain", "csv"])
def test_installed_people_into_a_reader_that_leaves_exit_quietly(
    large: Path, tmp_path: Path, fmt: str
) -> None:
    """`kb people | head -n 1` on an indexed base: exit 0, one line, nothing on stderr."""
    env = installed_env(**STABLE_ENV, XDG_CACHE_HOME=str(tmp_path / "cache"))
    built = run_captured([str(KB), "--facts", str(large), "index"], cwd=tmp_path, env=env)
    assert built.returncode == 0
    command = f"set -o pipefail; {KB} --facts {large} people --format {fmt} | head -n 1"
    result = run_captured(["bash", "-c", command], cwd=tmp_path, env=env)
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout.count("\n") == 1
