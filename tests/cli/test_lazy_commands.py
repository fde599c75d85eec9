"""kb add is built on demand: a lookup imports none of it (nor SQLite, the batch reader or Rich),
and kb --help lists it after the other commands."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Invoke


def test_a_lookup_never_builds_kb_add(tmp_path: Path) -> None:
    """kb quote --json on the built-in base imports none of what only other work needs: kb
    add, SQLite, the batch reader and search's index (large bases), Rich (tables), and what
    only who-said, kb check and kb validate use (verdicts, quotations, crediting)."""
    import subprocess
    import sys

    unneeded = [
        "karabakh_cli.cli.add",
        "karabakh_cli.index.search",
        "karabakh_cli.base.batches",
        "sqlite3",
        "rich",
        "karabakh_cli.lookup.answers",
        "karabakh_cli.lookup.verdict",
        "karabakh_cli.lookup.quotations",
        "karabakh_cli.lookup.crediting",
        "karabakh_cli.lookup.credit_checks",
        "karabakh_cli.lookup.checking",
        "karabakh_cli.output.checked",
        "karabakh_cli.cli.check",
    ]
    program = (
        "import sys\n"
        "from karabakh_cli.cli.app import app\n"
        "try:\n"
        "    app(['quote', 'Putin', '--json'], prog_name='kb')\n"
        "except SystemExit as end:\n"
        f"    print(end.code, [name for name in {unneeded!r} if name in sys.modules],"
        " file=sys.stderr)\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 0
    assert ran.stderr.strip().endswith("0 []")


def test_help_lists_add_last(invoke: Invoke) -> None:
    """kb --help lists add, built on demand, after the other commands."""
    result = invoke("--help")
    assert result.exit_code == 0
    commands = [
        line.split()[1]
        for line in result.stdout.splitlines()
        if line.startswith("│ ") and line[2].isalpha()  # not an option, nor a wrapped line
    ]
    assert "quote" in commands
    assert commands[-1] == "add"
