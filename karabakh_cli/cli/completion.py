"""Shell completion: the script for the shell named (bash, zsh or fish) and its installation,
which touches nothing global in the user's shell files. Never prints.

Typer's own --install-completion ignores the shell named on its command line, appends a global
``zstyle`` to ~/.zshrc, and installs a zsh function whose first Tab of each shell only defines
it (click's zsh script registers itself with compdef when autoloaded). Here:

- fish: the script goes in fish's own completions folder, which fish reads; nothing else.
- bash and zsh: the script goes in kb's folder under XDG_DATA_HOME, and one line that sources
  it (if it is there) is added once to ~/.bashrc or ~/.zshrc. The zsh script defines the
  function itself and registers it, so the first Tab completes; it runs compinit only in a
  shell that has none, since zsh completes nothing without it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

SHELLS = ("bash", "zsh", "fish")
# What --install-completion and --show-completion stand for with no shell named: the user's
# login shell ($SHELL).
LOGIN = "login"
# What marks the line kb adds to a shell's file, so that installing again adds nothing.
_MARK = "# kb shell completion"

_ZSH_REGISTERED = """
# zsh completes nothing before compinit; most shells have run it already.
(( $+functions[compdef] )) || { autoload -Uz compinit && compinit -i }
compdef _kb_completion kb
"""


_OPTIONS = ("--install-completion", "--show-completion")


def register_shells() -> None:
    """Teach click the zsh and fish completion protocols when a shell asks for completions
    (Typer does so only with its own completion options, which kb replaces)."""
    if "_KB_COMPLETE" in os.environ:
        from typer._completion_classes import completion_init

        completion_init()


def shell_given(args: list[str]) -> list[str]:
    """``args`` with LOGIN after a completion option that names no shell: the shell is
    optional on the command line (`kb --install-completion`), which Typer's options are not."""
    given = list(args)
    # Not past `--`, after which an argument is a word of the question, never an option.
    end = given.index("--") if "--" in given else len(given)
    for at in reversed(range(end)):
        if given[at] in _OPTIONS and (at + 1 == len(given) or given[at + 1].startswith("-")):
            given.insert(at + 1, LOGIN)
    return given


class Installed(NamedTuple):
    """Where a shell's completion went: the script, and the file sourcing it (None: the shell
    reads the script's folder itself)."""

    script: Path
    sourced_from: Path | None
    added_line: bool
    """Whether the sourcing line was added now (False: it was there already)."""


class UnknownShell(ValueError):
    """A shell kb has no completion for; the message names those it has."""


def shell_named(name: str | None) -> str:
    """The shell ``name`` stands for, or the user's login shell ($SHELL) for LOGIN."""
    chosen = name if name and name != LOGIN else Path(os.environ.get("SHELL", "")).name
    if chosen not in SHELLS:
        given = f"{chosen!r}" if chosen else "no shell named and $SHELL is not set"
        raise UnknownShell(f"{given}: kb completes in {', '.join(SHELLS)}")
    return chosen


def script(shell: str) -> str:
    """The completion script for ``shell``: click's protocol, as Typer generates it."""
    from typer._completion_shared import get_completion_script

    generated = get_completion_script(prog_name="kb", complete_var="_KB_COMPLETE", shell=shell)
    if shell == "zsh":
        # Sourced, not autoloaded: defined and registered at once, so the first Tab works.
        body = generated.replace("#compdef kb\n", "").replace("compdef _kb_completion kb", "")
        return body.strip() + "\n" + _ZSH_REGISTERED
    return generated.rstrip() + "\n"


def _home() -> Path:
    return Path(os.environ.get("HOME") or Path.home())


def _data_home() -> Path:
    configured = Path(os.environ.get("XDG_DATA_HOME", ""))
    return configured if configured.is_absolute() else _home() / ".local" / "share"


def _config_home() -> Path:
    configured = Path(os.environ.get("XDG_CONFIG_HOME", ""))
    return configured if configured.is_absolute() else _home() / ".config"


def _startup_file(shell: str) -> Path:
    if shell == "zsh":
        configured = os.environ.get("ZDOTDIR")
        return (Path(configured) if configured else _home()) / ".zshrc"
    return _home() / ".bashrc"


def install(shell: str) -> Installed:
    """Install completion for ``shell``; OSError says what could not be written."""
    if shell == "fish":
        target = _config_home() / "fish" / "completions" / "kb.fish"
    else:
        target = _data_home() / "kb" / f"completion.{shell}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(script(shell), encoding="utf-8")
    if shell == "fish":
        return Installed(target, None, added_line=False)
    startup = _startup_file(shell)
    quoted = str(target).replace("'", "'\\''")
    line = f"[ -r '{quoted}' ] && . '{quoted}'  {_MARK}\n"
    existing = startup.read_text(encoding="utf-8") if startup.exists() else ""
    if _MARK in existing:
        return Installed(target, startup, added_line=False)
    separator = "" if not existing or existing.endswith("\n") else "\n"
    with startup.open("a", encoding="utf-8") as file:
        file.write(separator + line)
    return Installed(target, startup, added_line=True)
