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
from generate import speaker_name

PYTHON = sys.executable
# kb's derived indexes go here, not into the user's cache: "fresh cache" rows empty it.
CACHE = Path(__file__).parent / "data" / "cache"
ENV = {**os.environ, "XDG_CACHE_HOME": str(CACHE)}
KB = str(Path(PYTHON).parent / "kb")
FLOOR = [PYTHON, "-c", "import typer, rapidfuzz.process, json"]
FLOOR_RICH = [PYTHON, "-c", "import typer, rapidfuzz.process, json, rich.console, rich.table"]


def measure(command: list[str]) -> tuple[float, int, int]:
    """Seconds, peak resident memory (KiB) and exit status of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
    )
    _, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def base(size: int, shape: str) -> Path:
    """The generated base, made in a child process: a child forked from this one inherits
    its peak memory in rusage, so this process must never hold a large base."""
    script = str(Path(__file__).parent / "generate.py")
    made = subprocess.run(
        [PYTHON, script, shape, str(size)], capture_output=True, text=True, check=True
    )
    return Path(made.stdout.strip())


def median_pair(
    command: list[str], baseline: list[str], runs: int
) -> tuple[float, float, int, int]:
    """Median seconds of command and baseline, alternating, the command's peak memory and
    its last exit status."""
    ours, theirs, peak, code = [], [], 0, 0
    for _ in range(runs):
        seconds, memory, code = measure(command)
        ours.append(seconds)
        peak = max(peak, memory)
        theirs.append(measure(baseline)[0])
    return statistics.median(ours), statistics.median(theirs), peak, code


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


def startup_row(label: str, ours: float, theirs: float, peak: int) -> str:
    return (
        f"| {label} | {ours * 1000:.0f} ms | {theirs * 1000:.0f} ms | {ours / theirs:.2f} "
        f"| {peak / 1024:.0f} | ratio ≤ 1.25 |"
    )


def scale_row(
    label: str, ours: float, jq: float | None, floor: float, peak: int, code: int, target: str
) -> str:
    """One lookup: kb's time, jq's, kb as a multiple of each, peak memory, and the exit
    status when it is not 0 or 1 (a refused base)."""
    outcome = f" (exit {code})" if code not in (0, 1) else ""
    jq_cells = f"{jq:.2f} s | {ours / jq:.2f}" if jq else " | "
    return (
        f"| {label}{outcome} | {ours:.2f} s | {jq_cells} | {ours / floor:.1f} "
        f"| {peak / 1024:.0f} | {target} |"
    )


class Bench:
    """The runs of one benchmark, printed as rows of one table as they finish."""

    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.jq = find_jq()
        self.floor = 0.0

    def startup(self) -> None:
        runs = 3 if self.quick else 15
        print("| measure | kb | baseline | ratio | peak MiB | target |")
        print("| --- | --- | --- | --- | --- | --- |")
        startup = [
            (
                "start-up: kb quote putin --json / import floor",
                [KB, "quote", "putin", "--json"],
                FLOOR,
            ),
            (
                "start-up: kb quote putin --format table / floor with Rich",
                [KB, "quote", "putin", "--format", "table"],
                FLOOR_RICH,
            ),
        ]
        for label, command, baseline in startup:
            ours, theirs, peak, _ = median_pair(command, baseline, runs)
            self.floor = self.floor or theirs
            print(startup_row(label, ours, theirs, peak))
        print()
        print("| base: measure | kb | jq | kb / jq | kb / floor | peak MiB | target |")
        print("| --- | --- | --- | --- | --- | --- | --- |")

    def lookups(
        self, size: int, shape: str, lookups: list[tuple[str, list[str], str]], runs: int
    ) -> None:
        """Time each lookup on the base of ``size`` quotes and ``shape`` against jq's
        exact-match filter on the same file."""
        path = str(base(size, shape))
        jq = [self.jq, '[.quotes[] | select(.speaker == "p-0")]', path] if self.jq else None
        name = f"{size:,} quotes" + ("" if shape == "default" else f", {shape}")
        for label, arguments, target in lookups:
            command = [
                KB,
                *(arguments if arguments[0] == "validate" else ["--facts", path, *arguments]),
            ]
            if arguments[0] == "validate":
                command.append(path)
            if jq:
                ours, theirs, peak, code = median_pair(command, jq, runs)
            else:
                ours, peak, code = measure(command)
                theirs = 0.0
            print(
                scale_row(f"{name}: {label}", ours, theirs or None, self.floor, peak, code, target)
            )
            sys.stdout.flush()

    def check_article(self, size: int | None, target: str, runs: int) -> None:
        """kb check of a 5,000-word article quoting 30 of the base's quotes (generate.article):
        the built-in base (``size`` None), or a generated one answered from its index (built
        first, by a lookup that is not timed)."""
        script = str(Path(__file__).parent / "generate.py")
        path = None if size is None else base(size, "default")
        facts = str(path) if path else str(Path(__file__).parent.parent / "facts.json")
        made = subprocess.run(
            [PYTHON, script, "article", facts], capture_output=True, text=True, check=True
        )
        command = [
            KB,
            *(["--facts", facts] if path else []),
            "check",
            made.stdout.strip(),
            "--json",
        ]
        if path:
            measure(command)
        timed = [measure(command) for _ in range(runs)]
        seconds = statistics.median(seconds for seconds, _, _ in timed)
        peak = max(memory for _, memory, _ in timed)
        name = "built-in base" if size is None else f"{size:,} quotes"
        label = f"{name}: kb check ARTICLE --json (5,000 words, 30 quotations)"
        print(scale_row(label, seconds, None, self.floor, peak, timed[-1][2], target))
        sys.stdout.flush()

    def first_lookup(self, size: int, shape: str = "default", target: str = "") -> None:
        """The first lookup on a fresh cache: the base read whole, checked in full and
        indexed; against one run of jq's exact-match filter."""
        path = base(size, shape)
        shutil.rmtree(CACHE, ignore_errors=True)
        command = [KB, "--facts", str(path), "quote", speaker_name(0), "--json"]
        seconds, peak, code = measure(command)
        jq = (
            measure([self.jq, '[.quotes[] | select(.speaker == "p-0")]', str(path)])[0]
            if self.jq
            else None
        )
        name = f"{size:,} quotes" + ("" if shape == "default" else f", {shape}")
        label = f"{name}: first lookup on a fresh cache (checks, builds the index)"
        print(scale_row(label, seconds, jq, self.floor, peak, code, target))


def main() -> None:
    quick = "--quick" in sys.argv
    compile_kb()
    bench = Bench(quick)
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, ",
        end="",
    )
    print(f"{platform.system()} {platform.release()}; jq: {bench.jq or 'not found'}\n")
    bench.startup()
    default = [
        ("kb quote NAME --json", ["quote", speaker_name(0), "--json"], ""),
        ("kb search WORD --json", ["search", "ceasefire", "--json"], ""),
        (
            "kb who-said FRAGMENT --json",
            ["who-said", "bilateral talks security mediation", "--json"],
            "",
        ),
        ("kb timeline --json", ["timeline", "--json"], ""),
        ("kb show ID --json", ["show", "q-5", "--json"], ""),
        ("kb validate", ["validate"], ""),
    ]
    if quick:
        bench.first_lookup(200)
        bench.lookups(200, "default", default, 3)
        return
    bench.check_article(None, "≤ 0.3 s", 5)
    bench.check_article(100_000, "≤ 2 s", 3)
    # The scale series: how cost grows with the base. Each size's first lookup reads the
    # base a batch at a time, runs the integrity checks and builds the index; later lookups
    # are answered from the index.
    for size, runs in [(10_000, 5), (100_000, 3), (1_000_000, 1)]:
        bench.first_lookup(size)
        bench.lookups(size, "default", default, runs)
    # Issue 12's largest base: a million quotes by 250,000 speakers.
    bench.first_lookup(1_000_000, "quarter-speakers", "≤ 2× jq, ≤ 1 GiB")
    bench.lookups(
        1_000_000,
        "quarter-speakers",
        [
            ("kb quote NAME --json", ["quote", speaker_name(0), "--json"], "≤ 0.5 s, ≤ 150 MiB"),
            ("kb search WORD --json", ["search", "ceasefire", "--json"], "≤ 0.5 s, ≤ 150 MiB"),
            (
                "kb who-said FRAGMENT --json",
                ["who-said", "bilateral talks security mediation", "--json"],
                "≤ 0.5 s, ≤ 150 MiB",
            ),
            (
                "kb who-said FRAGMENT no quote says",
                ["who-said", "the army said the border talks were cancelled", "--json"],
                "≤ 0.5 s, ≤ 150 MiB",
            ),
            ("kb people --format jsonl", ["people", "--format", "jsonl"], ""),
            ("kb validate", ["validate"], ""),
        ],
        1,
    )
    # Other shapes of 100,000 quotes, each lookup run once against jq once.
    bench.first_lookup(100_000, "many-speakers", "≤ 2× jq")
    bench.lookups(
        100_000,
        "many-speakers",
        [
            (
                "kb quote NAME --json",
                ["quote", speaker_name(0), "--json"],
                "≤ 2× floor, ≤ 120 MiB",
            ),
            ("kb quote UNKNOWN NAME (suggestions)", ["quote", "Zorro Bandito"], ""),
            ("kb people --json", ["people", "--json"], ""),
            ("kb people --format jsonl", ["people", "--format", "jsonl"], ""),
            ("kb search WORD --json", ["search", "ceasefire", "--json"], "≤ 4× floor"),
            (
                "kb who-said FRAGMENT --json",
                ["who-said", "bilateral talks security mediation", "--json"],
                "≤ 4× floor",
            ),
        ],
        3,
    )
    bench.first_lookup(100_000, "long-texts")
    bench.lookups(
        100_000,
        "long-texts",
        [
            ("kb quote NAME --json", ["quote", speaker_name(0), "--json"], ""),
            ("kb search WORD --json", ["search", "ceasefire", "--json"], ""),
        ],
        1,
    )
    bench.lookups(100_000, "unused-people", [("kb validate", ["validate"], "≤ 5× jq")], 1)


if __name__ == "__main__":
    main()
