"""Shared fixtures: the built-in fact base, a runner with stable output, broken bases."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from karabakh_cli.cli import app

REPO = Path(__file__).resolve().parent.parent
FACTS = REPO / "facts.json"
SOURCE_TEXT = REPO.parent / "shared" / "seeds" / "000_98694b3c7475b12e.txt"
KB = Path(sys.executable).parent / "kb"
STABLE_ENV = {"NO_COLOR": "1", "COLUMNS": "120", "KB_FACTS": "", "FORCE_COLOR": ""}

Invoke = Callable[..., Result]


@pytest.fixture
def invoke() -> Invoke:
    """Run kb in-process with no colour and a fixed width."""
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, list(args), env={**STABLE_ENV, **(env or {})})

    return run


@pytest.fixture
def base() -> dict[str, Any]:
    """A fresh, mutable copy of the built-in fact base."""
    loaded: dict[str, Any] = json.loads(FACTS.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def write_base(tmp_path: Path) -> Callable[[object], Path]:
    """Write a fact base (JSON-encoded unless already bytes) to a temporary file."""

    def write(content: object, name: str = "facts.json") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")
        return path

    return write
