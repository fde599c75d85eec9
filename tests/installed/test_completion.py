"""Shell completion, through each shell's own protocol and, where the shell is installed, the
shell itself: names complete from any word, ignoring case and accents, one word at a time, so
what the shell inserts runs as it stands."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import KB, installed_env, run_captured

# The generated completion scripts call kb by name.
ENV = installed_env(PATH=f"{KB.parent}{os.pathsep}{os.environ.get('PATH', '')}")


def complete(shell: str, line: str, cwd: Path) -> list[str]:
    """The candidates kb offers for ``line`` (the cursor at its end), asked as ``shell`` asks."""
    words = line.split()
    if shell == "bash":
        env = {
            "_KB_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(words) if line.endswith(" ") else len(words) - 1),
        }
    elif shell == "zsh":
        env = {"_KB_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": line}
    else:
        env = {
            "_KB_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
            "_TYPER_COMPLETE_ARGS": line,
        }
    result = run_captured([str(KB)], cwd=cwd, env={**ENV, **env})
    assert result.returncode == 0, result.stderr
    if shell == "zsh":
        return re.findall(r'"([^"]*)"', result.stdout)
    return [candidate.split("\t")[0] for candidate in result.stdout.splitlines() if candidate]


CASES = [
    ("kb quote Pu", ["Putin"]),
    ("kb quote pu", ["putin"]),
    ("kb quote PUT", ["PUTin"]),
    ("kb quote ali", ["aliyev", "aliev"]),
    ("kb quote amirb", ["amirbayov"]),
    ("kb quote elc", ["elchin", "elcin"]),
    ("kb quote Vl", ["Vladimir", "Vladimirovich"]),
    ("kb quote Vladimir ", ["Putin", "Vladimirovich"]),
    ("kb quote vladimir p", ["putin"]),
    ("kb quote Putin --since 2023 Vl", ["Vladimir", "Vladimirovich"]),
    ("kb quote zebra", []),
    ("kb quote Mr", []),
    ("kb show q-pu", ["q-putin-mediation"]),
    ("kb cite q-aliyev-s", ["q-aliyev-sovereignty"]),
    ("kb cite Q-PU", ["Q-PUtin-mediation"]),
    ("kb show Q-Aliyev-S", ["Q-Aliyev-Sovereignty"]),
    ("kb show Q-Z", []),
]


@pytest.mark.parametrize("line", ["kb cite Q-PU", "kb show Q-Aliyev-S", "kb show E-CEASE"])
def test_an_id_completed_in_capitals_runs_as_inserted(tmp_path: Path, line: str) -> None:
    """Each id candidate for a word typed in capitals starts with that word and finds its record."""
    *command, typed = line.split()
    candidates = complete("bash", line, tmp_path)
    assert candidates
    for candidate in candidates:
        assert candidate.startswith(typed)
        result = run_captured(
            [str(KB), *command[1:], candidate, "--json"],
            cwd=tmp_path,
            env=ENV,
        )
        assert result.returncode == 0, (candidate, result.stderr)
        assert json.loads(result.stdout)[0]["id"] == candidate.lower()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize(("line", "expected"), CASES)
def test_completion_protocol(tmp_path: Path, shell: str, line: str, expected: list[str]) -> None:
    """Each shell's protocol gets the next word of a name, from any word, ignoring case and
    accents, spelled on from what was typed; and record ids."""
    assert complete(shell, line, tmp_path) == expected


@pytest.mark.parametrize(
    ("line", "speaker"),
    [
        ("kb quote pu", "Vladimir Putin"),
        ("kb quote ali", "Ilham Aliyev"),
        ("kb quote amirb", "Elchin Amirbayov"),
        ("kb quote Vladimir ", "Vladimir Putin"),
        ("kb quote elc", "Elchin Amirbayov"),
    ],
)
def test_every_candidate_runs_as_inserted(tmp_path: Path, line: str, speaker: str) -> None:
    """The command line with any offered candidate in place of the typed word finds the speaker."""
    typed = line.split()[2:] if line.endswith(" ") else line.split()[2:-1]
    candidates = complete("bash", line, tmp_path)
    assert candidates
    for candidate in candidates:
        result = run_captured(
            [str(KB), "quote", *typed, candidate, "--json"],
            cwd=tmp_path,
            env=ENV,
        )
        assert result.returncode == 0, (candidate, result.stderr)
        assert json.loads(result.stdout)[0]["speaker"]["name"] == speaker


def _shell(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install {name}; .ci/run installs it)")
    return path


def test_bash_completion_function(tmp_path: Path) -> None:
    """In bash, the script kb generates fills COMPREPLY with single words that then run."""
    bash = _shell("bash")
    script = """
        source <(_KB_COMPLETE=source_bash kb)
        COMP_WORDS=(kb quote pu); COMP_CWORD=2; _kb_completion kb
        printf 'first:%s\\n' "${COMPREPLY[@]}"
        COMP_WORDS=(kb quote Vladimir ""); COMP_CWORD=3; _kb_completion kb
        printf 'next:%s\\n' "${COMPREPLY[@]}"
        eval "kb quote ${COMPREPLY[0]} --json" >/dev/null && echo "runs:$?"
    """
    result = run_captured(
        [bash, "--norc", "--noprofile", "-c", script],
        cwd=tmp_path,
        env=ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "first:putin",
        "next:Putin",
        "next:Vladimirovich",
        "runs:0",
    ]


@pytest.mark.parametrize(
    ("typed", "ran"),
    [("kb quote pu", "kb quote putin"), ("kb cite Q-PU", "kb cite Q-PUtin-mediation")],
)
def test_zsh_completes_and_the_line_runs(tmp_path: Path, typed: str, ran: str) -> None:
    """In an interactive zsh with compinit, Tab completes a name or an id typed in any case,
    and the line runs."""
    zsh = _shell("zsh")
    driver = tmp_path / "drive.zsh"
    driver.write_text(
        """
        zmodload zsh/zpty
        zpty kbshell zsh -f -i
        zpty -w kbshell 'PS1="> "; autoload -Uz compinit; compinit -u -D; source <(_KB_COMPLETE=source_zsh kb)'
        zpty -w -n kbshell $'TYPED\\t\\n'
        zpty -w kbshell 'print -r -- "[ran:$history[$((HISTCMD-1))]] EXIT:$?"'
        zpty -r kbshell output '*EXIT:[0-9]*'
        print -r -- "$output"
        zpty -d kbshell
        """.replace("TYPED", typed),
        encoding="utf-8",
    )
    result = run_captured(
        [zsh, "-f", str(driver)],
        cwd=tmp_path,
        env={**ENV, "HISTFILE": "", "HISTSIZE": "100"},
    )
    assert result.returncode == 0, result.stderr
    assert f"[ran:{ran}] EXIT:0" in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("command", "typed", "offered"),
    [("quote", "amirb", "amirbayov"), ("cite", "Q-PU", "Q-PUtin-mediation")],
)
def test_fish_completes_and_the_line_runs(
    tmp_path: Path, command: str, typed: str, offered: str
) -> None:
    """fish's own completion query offers the words or ids, and the completed command runs."""
    fish = _shell("fish")
    script = f"""
        source (env _KB_COMPLETE=source_fish kb | psub)
        complete -C 'kb {command} {typed}'
        kb {command} (complete -C 'kb {command} {typed}') --json >/dev/null
        echo "EXIT:$status"
    """
    result = run_captured(
        [fish, "--no-config", "-c", script],
        cwd=tmp_path,
        env=ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [offered, "EXIT:0"]


def test_completion_offers_speakers_and_ids(tmp_path: Path) -> None:
    """Shell completion completes the words of speaker names for quote and record ids for show."""
    names = run_captured(
        [str(KB)],
        cwd=tmp_path,
        env={
            **ENV,
            "_KB_COMPLETE": "complete_bash",
            "COMP_WORDS": "kb quote Vl",
            "COMP_CWORD": "2",
        },
    )
    assert names.stdout.split() == ["Vladimir", "Vladimirovich"]
    ids = run_captured(
        [str(KB)],
        cwd=tmp_path,
        env={
            **ENV,
            "_KB_COMPLETE": "complete_bash",
            "COMP_WORDS": "kb show q-pu",
            "COMP_CWORD": "2",
        },
    )
    assert "q-putin-mediation" in ids.stdout
