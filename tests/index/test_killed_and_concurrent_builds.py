"""Builds that end early or run at once: a build killed by SIGKILL, SIGTERM or SIGHUP leaves
its temporary file only until the next build or kb index --clear; runs that start together
build the index once, the others waiting for it."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from karabakh_cli.index import builder, loading, location, needs
from tests.conftest import KB, STABLE_ENV, Invoke, installed_env, spy
from tests.index.conftest import NAME, answers, no_say, quote_rows, whole


def _gone_pid() -> int:
    """The id of a process that has ended."""
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    return finished.pid


def _leftover(file: Path, pid: int) -> Path:
    location.make_folder(file)
    left = file.with_name(f".{file.name}.{pid}.0badf00d.tmp")
    left.write_bytes(b"half an index" * 1000)
    return left


@pytest.mark.parametrize(
    "sent", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP], ids=lambda sent: sent.name
)
def test_a_killed_build_leaves_a_file_kb_index_clear_removes(
    invoke: Invoke, large: Path, cache: Path, sent: signal.Signals
) -> None:
    """The installed kb, killed while it builds, leaves its temporary file; kb index --clear
    removes it (and says so), where it stayed for good."""
    file = location.location(large)
    assert file is not None
    env = installed_env(**STABLE_ENV, XDG_CACHE_HOME=str(cache))
    run = subprocess.Popen(
        [str(KB), "--facts", str(large), "index"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list(file.parent.glob("*.tmp")) and run.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.002)
    run.send_signal(sent)
    assert run.wait(timeout=30) == -sent
    (left,) = file.parent.glob("*.tmp")
    assert str(run.pid) in left.name
    cleared = invoke("--facts", str(large), "index", "--clear")
    assert cleared.exit_code == 0
    assert cleared.stderr == f"kb: removed {left}\n"
    assert list(file.parent.glob("*.tmp")) == []


def test_the_next_build_removes_what_killed_builds_left(small_indexed: Path) -> None:
    """A build removes the temporary files of builds whose process has ended (of any base),
    and leaves those of builds still running."""
    file = location.location(small_indexed)
    assert file is not None
    gone = _leftover(file, _gone_pid())
    other = _leftover(file.with_name("0" * 32 + ".sqlite"), _gone_pid())
    running = _leftover(file, 1)
    assert answers(small_indexed, "quote", NAME)[0] == 0
    assert not gone.exists() and not other.exists()
    assert running.exists()


def test_kb_index_clear_keeps_a_running_builds_file(invoke: Invoke, small_indexed: Path) -> None:
    """kb index --clear removes the index, not the file of a build still running."""
    file = location.location(small_indexed)
    assert file is not None
    assert answers(small_indexed, "quote", NAME)[0] == 0
    running = _leftover(file, 1)
    cleared = invoke("--facts", str(small_indexed), "index", "--clear")
    assert cleared.exit_code == 0
    assert cleared.stderr == f"kb: removed {file}\n"
    assert running.exists()


def test_eight_first_runs_at_once_build_once(
    small_indexed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight lookups started together on a base with no index: one builds it, the others
    wait for it and answer from it (each built the whole index before)."""
    builds = spy(monkeypatch, builder.Builder, "__init__")
    start = threading.Barrier(8)
    found: list[object] = []

    def lookup() -> None:
        start.wait()
        facts = loading.load(small_indexed, needs.ByName(NAME), no_say)
        found.append(quote_rows(facts, NAME))

    runs = [threading.Thread(target=lookup) for _ in range(8)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=60)
    assert len(builds) == 1
    assert found == [quote_rows(whole(small_indexed), NAME)] * 8
    file = location.location(small_indexed)
    assert file is not None
    assert [path.name for path in file.parent.iterdir()] == [file.name]


def test_a_run_waiting_too_long_answers_without_the_index(
    small_indexed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lookup that finds another run holding the build's lock past the bound answers from
    the base read whole, and says why in one line."""
    file = location.location(small_indexed)
    assert file is not None
    location.make_folder(file)
    monkeypatch.setattr(location, "LOCK_WAIT_SECONDS", 0.1)
    said: list[str] = []
    with location.building(file) as held:
        assert held
        facts = loading.load(small_indexed, needs.ByName(NAME), said.append)
    assert quote_rows(facts, NAME) == quote_rows(whole(small_indexed), NAME)
    assert said == [
        f"no index for {small_indexed}: another kb has been building it for too long;"
        " answering without it"
    ]
