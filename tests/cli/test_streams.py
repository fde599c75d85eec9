"""Closed and full standard streams, on the installed kb in a shell: a stdout that cannot take
the output is one line on stderr and exit 3 (never kb validate's 1, never a traceback); a
stderr that cannot take a message changes no exit code; a closed stdin is one line too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import KB, REPO, installed_env, run_captured

pytestmark = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")

BROKEN = REPO / "tests" / "data" / "broken-facts.json"
ARTICLE = REPO / "docs" / "examples" / "article.md"
CLOSED = "kb: cannot write to standard output: it is closed\n"
FULL = "kb: cannot write to standard output: No space left on device\n"

# Commands that write to stdout, one of each kind of writer: a listing written as it is made
# (plain, JSON, JSON lines), text of kb's own (validate, BibTeX), kb check's verdicts, and what
# Typer and the version option write.
WRITERS = [
    "terms",
    f"validate {BROKEN}",
    "people --json",
    "timeline --format jsonl",
    "cite q-putin-mediation --format bibtex",
    f"check {ARTICLE}",
    "--version",
    "--help",
]

# (command, exit code, how its one line on stderr starts, if it has one): {kb} is the
# installed kb.
CASES: dict[str, tuple[str, int, str]] = {
    **{f"closed stdout: {c}": (f"{{kb}} {c} >&-", 3, CLOSED) for c in WRITERS},
    **{f"full stdout: {c}": (f"{{kb}} {c} >/dev/full", 3, FULL) for c in WRITERS},
    "full stdout, full stderr": ("{kb} terms >/dev/full 2>/dev/full", 3, ""),
    "closed stdout, closed stderr": ("{kb} terms >&- 2>&-", 3, ""),
    "closed stdout, nothing to write": ("{kb} quote Nobody >&-", 1, "kb: no speaker matches"),
    "closed stdout, no problems": ("{kb} validate >&-", 0, "kb: "),
    "full stdout, no problems": ("{kb} validate >/dev/full", 0, "kb: "),
    **{
        f"reader gone at once: {c}": (f"set -o pipefail; {{kb}} {c} | true", 0, "")
        for c in ("--help", "quote --help", "timeline --format csv", "people --format jsonl")
    },
    **{
        f"{how} stderr: {name}": (f"{{kb}} {command} >/dev/null {redirect}", code, "")
        for how, redirect in (("closed", "2>&-"), ("full", "2>/dev/full"))
        for name, command, code in (
            ("found", "terms", 0),
            ("nothing found", "quote Nobody", 1),
            ("usage error", "terms --bogus", 2),
            ("missing file", "--facts nope.json terms", 3),
            ("errors found", f"validate {BROKEN}", 1),
            ("misquote", f"check {ARTICLE}", 4),
        )
    },
    "closed stdin": ("{kb} check <&-", 2, "kb: cannot read standard input: it is closed\n"),
}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    """Every case run once, from one bash (a kb of its own each): its status and stderr."""
    folder = tmp_path_factory.mktemp("streams")
    script = "".join(
        f'( {command.format(kb=KB)} ) 2>"{folder}/{number}.err"; '
        f'echo $? >"{folder}/{number}.status"\n'
        for number, (command, _, _) in enumerate(CASES.values())
    )
    # Unbuffered, every write is a write to the stream: a reader gone fails the first one.
    env = installed_env(PYTHONUNBUFFERED="1")
    ran = run_captured(["bash", "-c", script], cwd=folder, env=env, timeout=300)
    assert ran.returncode == 0, ran.stderr
    return {
        name: (
            int((folder / f"{number}.status").read_text(encoding="utf-8")),
            (folder / f"{number}.err").read_text(encoding="utf-8"),
        )
        for number, name in enumerate(CASES)
    }


@pytest.mark.parametrize("case", list(CASES))
def test_a_stream_that_fails_gives_the_contracts_exit_code(
    outcomes: dict[str, tuple[int, str]], case: str
) -> None:
    """The exit code the contract names and, where stderr works, the one line expected."""
    _, code, said = CASES[case]
    status, stderr = outcomes[case]
    assert status == code, stderr
    assert stderr.startswith(said), stderr
    assert stderr.count("\n") == (1 if said else 0), stderr
