"""Shared fixtures: the built-in fact base, a runner with stable output, broken bases."""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from karabakh_cli.cli.app import app

# The indexes tests build (hundreds of MB in all) go to a cache of the run's own, never the
# user's: set here, before any test module copies os.environ for the kb it runs.
TEST_CACHE = tempfile.mkdtemp(prefix="kb-tests-cache-")
os.environ["XDG_CACHE_HOME"] = TEST_CACHE
atexit.register(shutil.rmtree, TEST_CACHE, ignore_errors=True)

REPO = Path(__file__).resolve().parent.parent
FACTS = REPO / "facts.json"
ARCHIVES = REPO / "sources"
KB = Path(sys.executable).parent / "kb"
STABLE_ENV = {"NO_COLOR": "1", "COLUMNS": "120", "KB_FACTS": "", "FORCE_COLOR": ""}

Invoke = Callable[..., Result]


def bench_generator() -> ModuleType:
    """bench/generate.py as a module, loaded from its file: bench is not a package, and putting
    its folder on sys.path would leak into every test that runs after."""
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_captured(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None, timeout: int = 60
) -> subprocess.CompletedProcess[str]:
    """Run a program from ``cwd`` as a person would, its output captured as text; a hang
    fails the test instead of stalling the suite."""
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def run_on_a_terminal(
    args: Sequence[str], cwd: Path, width: int, *, stream: str = "stdout"
) -> tuple[int, str]:
    """The installed kb's exit code and what it writes to ``stream`` ("stdout" or "stderr"),
    a terminal ``width`` columns wide; the other stream goes nowhere."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": str(width), "LINES": "24"}
    env.pop("KB_FACTS", None)
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


def spy(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[tuple[Any, ...]]:
    """Wrap ``owner.name`` so each call's arguments are recorded, and return the record."""
    calls: list[tuple[Any, ...]] = []
    real = getattr(owner, name)

    def recorded(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, recorded)
    return calls


@pytest.fixture
def invoke() -> Invoke:
    """Run kb in-process with no colour and a fixed width."""
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, list(args), env={**STABLE_ENV, **(env or {})})

    return run


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own, empty: kb builds indexes there."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture
def base() -> dict[str, Any]:
    """A fresh, mutable copy of the built-in fact base."""
    loaded: dict[str, Any] = json.loads(FACTS.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def write_base(tmp_path: Path) -> Callable[..., Path]:
    """Write a fact base (JSON-encoded unless already bytes) to a temporary file, with a copy
    of the built-in base's archived sources beside it unless ``archives`` is false."""

    def write(content: object, name: str = "facts.json", *, archives: bool = True) -> Path:
        path = tmp_path / name
        if archives and not (tmp_path / ARCHIVES.name).exists():
            shutil.copytree(ARCHIVES, tmp_path / ARCHIVES.name)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")
        return path

    return write
