"""kb --install-completion SHELL: installs for the shell named, touches nothing global in the
user's shell files (one sourcing line at most, added once), and completes from the first Tab
of a new shell."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import KB, run_captured
from tests.installed.test_completion import ENV, _shell


def install(home: Path, *args: str, login: str = "/bin/bash") -> tuple[int, str]:
    env = {**ENV, "HOME": str(home), "SHELL": login}
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "ZDOTDIR"):
        env.pop(variable, None)
    result = run_captured([str(KB), "--install-completion", *args], cwd=home, env=env)
    assert result.stdout == ""
    return result.returncode, result.stderr


def files_in(home: Path) -> list[str]:
    return sorted(str(path.relative_to(home)) for path in home.rglob("*") if path.is_file())


@pytest.mark.parametrize(
    ("shell", "installed"),
    [
        ("zsh", [".local/share/kb/completion.zsh", ".zshrc"]),
        ("bash", [".bashrc", ".local/share/kb/completion.bash"]),
        ("fish", [".config/fish/completions/kb.fish"]),
    ],
)
def test_the_shell_named_is_the_one_installed_whatever_the_login_shell(
    tmp_path: Path, shell: str, installed: list[str]
) -> None:
    code, said = install(tmp_path, shell, login="/bin/sh")
    assert code == 0, said
    assert f"{shell} completion installed in" in said
    assert files_in(tmp_path) == installed


@pytest.mark.parametrize("shell", ["zsh", "bash"])
def test_the_startup_file_gains_one_sourcing_line_once_and_nothing_global(
    tmp_path: Path, shell: str
) -> None:
    startup = tmp_path / f".{shell}rc"
    startup.write_text("export EDITOR=vi", encoding="utf-8")  # no newline at the end
    for _ in range(2):
        assert install(tmp_path, shell)[0] == 0
    lines = startup.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "export EDITOR=vi"
    assert len(lines) == 2
    assert lines[1].startswith("[ -r ") and "# kb shell completion" in lines[1]
    script = (tmp_path / ".local/share/kb" / f"completion.{shell}").read_text("utf-8")
    assert "zstyle" not in script + startup.read_text(encoding="utf-8")


def test_no_shell_named_means_the_login_shell(tmp_path: Path) -> None:
    assert install(tmp_path, login="/usr/bin/fish")[0] == 0
    assert files_in(tmp_path) == [".config/fish/completions/kb.fish"]


@pytest.mark.parametrize(("args", "login"), [(("tcsh",), "/bin/bash"), ((), "")])
def test_a_shell_kb_cannot_complete_in_is_a_usage_error_and_writes_nothing(
    tmp_path: Path, args: tuple[str, ...], login: str
) -> None:
    code, said = install(tmp_path, *args, login=login)
    assert code == 2
    assert "kb completes in bash, zsh, fish" in said
    assert len(said.strip().splitlines()) == 1
    assert files_in(tmp_path) == []


def test_show_completion_prints_the_script_of_the_shell_named(tmp_path: Path) -> None:
    result = run_captured([str(KB), "--show-completion", "fish"], cwd=tmp_path, env=ENV)
    assert result.returncode == 0
    assert result.stdout.startswith("complete --command kb")


def test_the_first_tab_of_a_new_zsh_completes(tmp_path: Path) -> None:
    """Installed from bash, in a zsh started afresh that reads only the user's .zshrc: the very
    first Tab completes the name, and the line runs."""
    zsh = _shell("zsh")
    assert install(tmp_path, "zsh")[0] == 0
    driver = tmp_path / "drive.zsh"
    driver.write_text(
        """
        zmodload zsh/zpty
        zpty kbshell zsh -i
        zpty -w kbshell 'PS1="> "'
        zpty -w -n kbshell $'kb quote pu\\t\\n'
        zpty -w kbshell 'print -r -- "[ran:$history[$((HISTCMD-1))]] EXIT:$?"'
        zpty -r kbshell output '*EXIT:[0-9]*'
        print -r -- "$output"
        zpty -d kbshell
        """,
        encoding="utf-8",
    )
    env = {**ENV, "HOME": str(tmp_path), "HISTFILE": "", "HISTSIZE": "100"}
    env.pop("ZDOTDIR", None)
    result = run_captured([zsh, "-f", str(driver)], cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "[ran:kb quote putin] EXIT:0" in result.stdout, result.stdout


def test_bash_registers_the_completion_in_a_new_interactive_shell(tmp_path: Path) -> None:
    bash = _shell("bash")
    assert install(tmp_path, "bash")[0] == 0
    env = {**ENV, "HOME": str(tmp_path)}
    result = run_captured([bash, "-i", "-c", "complete -p kb"], cwd=tmp_path, env=env)
    assert "_kb_completion" in result.stdout, (result.stdout, result.stderr)
