"""What tests in every folder share: the built-in fact base, a runner with stable output, the
installed kb's environment, a large base to index, and a small base made with kb itself."""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from karabakh_cli.base import factbase
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


def installed_env(**settings: str) -> dict[str, str]:
    """The environment the installed kb runs in: the test run's own (its cache included),
    without KB_FACTS or a pager, with no colour and 100 columns; ``settings`` added or
    replaced."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    env.pop("KB_FACTS", None)
    # No pager: a test on a pseudo-terminal reads the table itself (tests/installed/test_pager.py
    # sets one).
    env["KB_PAGER"] = ""
    return {**env, **settings}


def run_captured(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None, timeout: int = 60
) -> subprocess.CompletedProcess[str]:
    """Run a program from ``cwd`` as a person would, its output captured as text; a hang
    fails the test instead of stalling the suite."""
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def spy(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[tuple[Any, ...]]:
    """Wrap ``owner.name`` so each call's arguments are recorded, and return the record."""
    calls: list[tuple[Any, ...]] = []
    real = getattr(owner, name)

    def recorded(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, recorded)
    return calls


@contextmanager
def answered_from_the_index() -> Iterator[None]:
    """Within, reading a base whole fails the test: an answer can only come from its index."""

    def read_whole(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"read whole, not answered from the index: {args}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(factbase, "load", read_whole)
        yield


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


@pytest.fixture
def large(tmp_path: Path, cache: Path) -> Path:
    """A 2,000-quote base (1.5 MB): large enough to be indexed."""
    path: Path = bench_generator().write(2000, tmp_path / "bases")
    return path


# An invented report, for the write tests: typographic quotation marks, a title with a full
# stop (Mr., Gen.), an exclamation, a headline without a full stop and a blank line between
# paragraphs.
ARTICLE = """Talks in Yevlakh

The talks opened on Thursday. “We have restored our sovereignty,” said Ivana Testova, the \
foreign minister of Ruritania, in a televised address. Mr. Kerbel, her deputy, was less sure: \
“Nothing is settled yet.” Gen. Olaf Brandt said nothing at all.

Ruritania and Grand Fenwick agreed that all units will withdraw within a week. The ceasefire
held overnight!
"""
SOURCE_ID = "src-ruritaniatimes-2023-09-21"


def kb(facts: Path, *args: str) -> tuple[int, str, str]:
    """Run kb in-process against ``facts``: exit code, stdout, stderr."""
    result = CliRunner().invoke(app, ["--facts", str(facts), *args], env=STABLE_ENV)
    return result.exit_code, result.stdout, result.stderr


def make_base(folder: Path, *, with_people: bool = True) -> Path:
    """A new base in ``folder``, made with kb itself, with the article as its archived source,
    and its people."""
    facts = folder / "facts.json"
    article = folder / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    steps = [
        f"init {facts}",
        'add source --title "Talks open" --publisher "Ruritania Times" --date 2023-09-21 '
        f"--text {article}",
    ]
    if with_people:
        steps += [
            f'add person --name "Ivana Testova" --role "Foreign minister" --source {SOURCE_ID}',
            'add person --name "Anton Kerbel" --alias "Mr. Kerbel" '
            f'--role "Deputy foreign minister" --source {SOURCE_ID}',
        ]
    for step in steps:
        code, _, stderr = kb(facts, *shlex.split(step))
        assert code == 0, stderr
    return facts
