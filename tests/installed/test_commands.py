"""The installed kb, run as a person or a script would: from another folder, through pipes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import KB, run_captured

ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
ENV.pop("KB_FACTS", None)


def kb(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_captured(
        [str(KB), *args],
        cwd=cwd,
        env=env or ENV,
    )


def test_installed_kb_finds_its_fact_base_from_any_folder(tmp_path: Path) -> None:
    """kb quote Putin works from a folder outside the repository."""
    result = kb("quote", "Putin", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["speaker"]["name"] == "Vladimir Putin"


def test_python_dash_m_works(tmp_path: Path) -> None:
    """python -m karabakh_cli is kb."""
    result = run_captured(
        [sys.executable, "-m", "karabakh_cli", "terms", "--json"],
        cwd=tmp_path,
        env=ENV,
    )
    assert result.returncode == 0
    assert len(json.loads(result.stdout)) == 4


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
        env=ENV,
    )
    assert result.stderr == ""


def test_interrupt_exits_130_quietly(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT) while kb waits on its input exits 130 with nothing on stderr."""
    fifo = tmp_path / "facts.json"
    os.mkfifo(fifo)
    process = subprocess.Popen(
        [str(KB), "--facts", str(fifo), "terms"],
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert (stdout, stderr) == ("", "")


def test_completion_offers_speakers_and_ids(tmp_path: Path) -> None:
    """Shell completion completes the words of speaker names for quote and record ids for show."""
    names = kb(
        cwd=tmp_path,
        env={
            **ENV,
            "_KB_COMPLETE": "complete_bash",
            "COMP_WORDS": "kb quote Vl",
            "COMP_CWORD": "2",
        },
    )
    assert names.stdout.split() == ["Vladimir", "Vladimirovich"]
    ids = kb(
        cwd=tmp_path,
        env={
            **ENV,
            "_KB_COMPLETE": "complete_bash",
            "COMP_WORDS": "kb show q-pu",
            "COMP_CWORD": "2",
        },
    )
    assert "q-putin-mediation" in ids.stdout


def test_usage_error_from_the_shell_is_one_line(tmp_path: Path) -> None:
    """A mistyped command: exit 2, one line on stderr, a did-you-mean."""
    result = kb("timelin", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "Did you mean 'timeline'?" in result.stderr


@pytest.mark.parametrize(
    ("name", "code"),
    [("", 2), ("x" * 100_000, 1), ("\u202eniteP\u202c", 1), ("🙂🙂", 1), ("שלום", 1), ("Путин", 0)],
    ids=["empty", "huge", "rtl-override", "emoji", "hebrew", "cyrillic"],
)
def test_hostile_names_never_crash(tmp_path: Path, name: str, code: int) -> None:
    """Empty, huge, right-to-left and emoji names: the documented exit code and no traceback."""
    result = kb("quote", name, "--json", cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    if code == 1:
        assert json.loads(result.stdout) == []
        assert "no speaker matches" in result.stderr


def test_the_suite_keeps_its_indexes_out_of_the_users_cache(tmp_path: Path) -> None:
    """An index built by a kb the tests run lands in the test run's own cache, not ~/.cache."""
    from karabakh_cli.index import location
    from tests.conftest import TEST_CACHE, bench_generator

    big = bench_generator().write(2000, tmp_path / "bases")
    env = {key: value for key, value in os.environ.items() if key != "KB_FACTS"}
    result = run_captured(
        [str(KB), "--facts", str(big), "quote", "Putin", "--json"], cwd=tmp_path, env=env
    )
    assert result.returncode in (0, 1), result.stderr
    assert env["XDG_CACHE_HOME"] == TEST_CACHE
    built = location.location(big)
    assert built is not None and built.is_file()
    assert built.is_relative_to(TEST_CACHE)
