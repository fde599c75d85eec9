"""kb's benchmark: start-up against its stack's floor, and kb at scale against jq.

Whole-process times, the median of RUNS runs alternating with the baseline; peak memory from the
child's rusage. Prints a Markdown table. Usage: python bench/run.py [--quick]
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import write

PYTHON = sys.executable
KB = str(Path(PYTHON).parent / "kb")
DATA = Path(__file__).parent / "data"


def measure(command: list[str]) -> tuple[float, int]:
    """Seconds and peak resident memory (KiB) of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss


def median_pair(command: list[str], baseline: list[str], runs: int) -> tuple[float, float, int]:
    """Median seconds of command and baseline, alternating, and command's peak memory."""
    ours, theirs, peak = [], [], 0
    for _ in range(runs):
        seconds, memory = measure(command)
        ours.append(seconds)
        peak = max(peak, memory)
        theirs.append(measure(baseline)[0])
    return statistics.median(ours), statistics.median(theirs), peak


def main() -> None:
    quick = "--quick" in sys.argv
    runs = 3 if quick else 11
    sizes = [200] if quick else [1_000, 10_000, 100_000]
    env_note = f"{platform.node()}: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"Machine: {env_note}\n")
    print("| measure | kb | baseline | ratio | peak MiB |")
    print("| --- | --- | --- | --- | --- |")
    floor = [PYTHON, "-c", "import typer, rapidfuzz.process, json"]
    floor_rich = [PYTHON, "-c", "import typer, rapidfuzz.process, json, rich.console, rich.table"]
    for label, command, baseline in [
        ("start-up: kb quote putin --json", [KB, "quote", "putin", "--json"], floor),
        (
            "start-up: kb quote putin --format table",
            [KB, "quote", "putin", "--format", "table"],
            floor_rich,
        ),
    ]:
        ours, theirs, peak = median_pair(command, baseline, runs)
        print(
            f"| {label} | {ours * 1000:.0f} ms | {theirs * 1000:.0f} ms | {ours / theirs:.2f} | {peak / 1024:.0f} |"
        )
    jq = shutil.which("jq")
    for size in sizes:
        path = str(write(size, DATA))
        facts = [KB, "--facts", path]
        scale_runs = 3 if size >= 100_000 or quick else 5
        jq_filter = (
            [jq, '[.quotes[] | select(.speaker == "p-0")]', path] if jq else [PYTHON, "-c", "pass"]
        )
        for label, command in [
            ("kb quote --json", [*facts, "quote", "Anna Petrosyan 0", "--json"]),
            ("kb search", [*facts, "search", "ceasefire", "--json"]),
            ("kb who-said", [*facts, "who-said", "bilateral talks security mediation", "--json"]),
            ("kb timeline --json", [*facts, "timeline", "--json"]),
            ("kb validate", [KB, "validate", path]),
        ]:
            ours, theirs, peak = median_pair(command, jq_filter, scale_runs)
            print(
                f"| {size:,} quotes: {label} | {ours:.2f} s | jq {theirs:.2f} s | {ours / theirs:.2f} | {peak / 1024:.0f} |"
            )


if __name__ == "__main__":
    main()
