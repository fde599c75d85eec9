"""The installed kb, run as a person or a script would: from another folder, as python -m,
interrupted, with mistyped and hostile arguments, on an endless file."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import KB, installed_env, run_captured


def kb(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_captured(
        [str(KB), *args],
        cwd=cwd,
        env=env or installed_env(),
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
        env=installed_env(),
    )
    assert result.returncode == 0
    assert len(json.loads(result.stdout)) == 4


def test_interrupt_exits_130_quietly(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT) while kb waits on its input exits 130 with nothing on stderr."""
    fifo = tmp_path / "facts.json"
    os.mkfifo(fifo)
    process = subprocess.Popen(
        [str(KB), "--facts", str(fifo), "terms"],
        cwd=tmp_path,
        env=installed_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # A pause from the start alone, a busy machine outlasts while kb is still starting. Once
    # kb has the pipe open for reading a writer can open it too, and kb then waits to read:
    # the signal comes a moment later, while kb waits.
    deadline = time.monotonic() + 60
    while True:
        try:
            writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as error:
            assert error.errno == errno.ENXIO, error
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
    try:
        time.sleep(1.0)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        os.close(writer)
    assert process.returncode == 130
    assert (stdout, stderr) == ("", "")


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


def test_installed_kb_refuses_dev_zero_at_the_real_limit(tmp_path: Path) -> None:
    """The installed kb reads /dev/zero only up to its limit and exits 3 with one line."""
    result = run_captured(
        [str(KB), "--facts", "/dev/zero", "quote", "Putin"],
        cwd=tmp_path,
        env=installed_env(),
        timeout=120,
    )
    assert result.returncode == 3
    assert result.stderr == (
        "kb: /dev/zero: file holds more than 512 MiB; kb reads at most 512 MiB\n"
    )
