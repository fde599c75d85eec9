"""The benchmark's inputs are valid fact bases, and the benchmark runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from karabakh_cli.base import factbase
from tests.conftest import REPO, bench_generator

generator = bench_generator()


def test_generated_bases_pass_validation(tmp_path: Path) -> None:
    """A generated base has no problems, and its proportions hold."""
    path = generator.write(500, tmp_path)
    assert factbase.diagnose(path.read_bytes()) == []
    base = generator.generate(500)
    assert (len(base["quotes"]), len(base["people"]), len(base["events"])) == (500, 50, 100)


def test_benchmark_runs_quickly() -> None:
    """bench/run.py --quick prints its table."""
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "| start-up: kb quote putin --json / import floor |" in result.stdout
    assert "200 quotes: kb validate" in result.stdout
