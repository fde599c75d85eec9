"""kb's benchmark: start-up against its stack's floor, and kb at scale against jq.

Whole-process times: the median of several runs, each alternating with its baseline, as a
ratio measured in the same run; peak memory from the child's rusage. Prints a Markdown
table with the machine it ran on. Usage: python bench/run.py [--quick]

--quick (used by the tests) runs a small base a few times and skips the targets.
"""

from __future__ import annotations

import compileall
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import speaker_name, write

PYTHON = sys.executable
KB = str(Path(PYTHON).parent / "kb")
DATA = Path(__file__).parent / "data"
FLOOR = [PYTHON, "-c", "import typer, rapidfuzz.process, json"]
FLOOR_RICH = [PYTHON, "-c", "import typer, rapidfuzz.process, json, rich.console, rich.table"]


def measure(command: list[str]) -> tuple[float, int]:
    """Seconds and peak resident memory (KiB) of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss


def median_pair(command: list[str], baseline: list[str], runs: int) -> tuple[float, float, int]:
    """Median seconds of command and baseline, alternating, and the command's peak memory."""
    ours, theirs, peak = [], [], 0
    for _ in range(runs):
        seconds, memory = measure(command)
        ours.append(seconds)
        peak = max(peak, memory)
        theirs.append(measure(baseline)[0])
    return statistics.median(ours), statistics.median(theirs), peak


def compile_kb() -> None:
    """Compile kb's modules once, as pip does for an installed wheel.

    With PYTHONDONTWRITEBYTECODE set (as on these machines) an editable install would
    otherwise recompile every module on every run, which no installed kb does.
    """
    import karabakh_cli

    compileall.compile_dir(Path(karabakh_cli.__file__).parent, quiet=1)


def find_jq() -> str | None:
    """jq, installed with apt-get if it is missing and this is root."""
    if shutil.which("jq") is None and hasattr(os, "geteuid") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "jq"], capture_output=True, check=False)
    return shutil.which("jq")


def row(label: str, ours: float, theirs: float, unit: str, peak: int, target: str) -> str:
    scale = 1000 if unit == "ms" else 1
    return (
        f"| {label} | {ours * scale:.{0 if unit == 'ms' else 2}f} {unit} "
        f"| {theirs * scale:.{0 if unit == 'ms' else 2}f} {unit} | {ours / theirs:.2f} "
        f"| {peak / 1024:.0f} | {target} |"
    )


def main() -> None:
    quick = "--quick" in sys.argv
    runs = 3 if quick else 15
    sizes = [200] if quick else [1_000, 10_000, 100_000]
    compile_kb()
    jq = find_jq()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, ",
        end="",
    )
    print(f"{platform.system()} {platform.release()}; jq: {jq or 'not found'}\n")
    print("| measure | kb | baseline | ratio | peak MiB | target |")
    print("| --- | --- | --- | --- | --- | --- |")
    startup = [
        ("start-up: kb quote putin --json / import floor", [KB, "quote", "putin", "--json"], FLOOR),
        (
            "start-up: kb quote putin --format table / floor with Rich",
            [KB, "quote", "putin", "--format", "table"],
            FLOOR_RICH,
        ),
    ]
    for label, command, baseline in startup:
        ours, theirs, peak = median_pair(command, baseline, runs)
        print(row(label, ours, theirs, "ms", peak, "ratio ≤ 1.25"))
    for size in sizes:
        path = str(write(size, DATA))
        facts = [KB, "--facts", path]
        baseline = [jq, '[.quotes[] | select(.speaker == "p-0")]', path] if jq else FLOOR
        name = "jq filter" if jq else "import floor"
        scale_runs = 3 if quick else (5 if size >= 100_000 else 7)
        # The first read of a large base after an edit checks it and remembers the verdict;
        # touching the file stands for the edit, and that run is timed apart.
        Path(path).touch()
        first, first_peak = measure([*facts, "timeline", "--json"])
        print(
            f"| {size:,} quotes: first lookup after an edit (full checks) | {first:.2f} s | | | {first_peak / 1024:.0f} | |"
        )
        lookups = [
            (
                "kb quote NAME --json",
                [*facts, "quote", speaker_name(0), "--json"],
                "ratio ≤ 0.5",
            ),
            ("kb search WORD --json", [*facts, "search", "ceasefire", "--json"], "< 1 s"),
            (
                "kb who-said FRAGMENT --json",
                [*facts, "who-said", "bilateral talks security mediation", "--json"],
                "< 1 s",
            ),
            ("kb timeline --json", [*facts, "timeline", "--json"], ""),
            ("kb validate", [KB, "validate", path], "< 5 s"),
        ]
        for label, command, target in lookups:
            ours, theirs, peak = median_pair(command, baseline, scale_runs)
            line = row(
                f"{size:,} quotes: {label} / {name}",
                ours,
                theirs,
                "s",
                peak,
                target if size == 100_000 else "",
            )
            print(line)
    if not quick:
        print("\nPeak memory target at 100,000 quotes: < 250 MiB.")


if __name__ == "__main__":
    main()
