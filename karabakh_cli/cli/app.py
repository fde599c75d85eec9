"""The kb app: its group, which turns failures into exit codes in one place (KbGroup.main;
the codes are exits.ExitCode), its global options, and every command, registered here and
nowhere else in the order --help lists them. kb add is built only when named.
"""

# No ``from __future__ import annotations`` here: Typer reads these signatures on every run,
# and real annotation objects spare it evaluating each string again.
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, NamedTuple, NoReturn

import typer
from typer.core import TyperOption
from typer.utils import get_params_from_function

from karabakh_cli import __version__
from karabakh_cli.base.problems import FactBaseError
from karabakh_cli.cli import completion, lookups, pipes, writes
from karabakh_cli.cli.exits import ExitCode
from karabakh_cli.cli.shared import EXIT_CODES, Command, Group, State, say

# Every command but those built only when named (LAZY), in the order --help lists them.
COMMANDS: tuple[Command, ...] = (
    lookups.quote,
    lookups.quotes,
    lookups.terms,
    lookups.timeline,
    lookups.search,
    lookups.who_said,
    lookups.people,
    lookups.show,
    lookups.sources,
    lookups.disputes,
    lookups.cite,
    lookups.validate,
    lookups.schema,
    lookups.index_command,
    writes.init,
    writes.edit,
    writes.remove,
    writes.fmt_command,
    writes.diff_command,
)


def _name(command: Command) -> str:
    """A command's name on the command line, as Typer makes it from the function's."""
    return command.name or command.function.__name__.replace("_", "-")


READS_FACTS = [_name(command) for command in COMMANDS if command.reads_facts]


def _use_facts(ctx: typer.Context, param: typer.CallbackParam, value: Path | None) -> None:
    """Keep --facts (or KB_FACTS) in the state, whether it comes before or after the command."""
    if value is None:
        return
    source = ctx.get_parameter_source(param.name or "")
    state = ctx.ensure_object(State)
    state.facts_path = value
    state.facts_origin = "KB_FACTS" if getattr(source, "name", "") == "ENVIRONMENT" else None


def facts_option(envvar: str | None = None) -> Any:
    """--facts before the command, where KB_FACTS stands for it."""
    return typer.Option(
        "--facts",
        envvar=envvar,
        help="Fact base to read instead of the built-in one.",
        callback=_use_facts,
        expose_value=False,
        show_default=False,
    )


def _facts_after_the_command() -> TyperOption:
    """The same option after a command that reads a base: people type
    `kb quote Putin --facts mine.json` too. Not KB_FACTS there, which would override a --facts
    given before the command. Added to each such command here, so no command declares it."""

    def declared(facts: Annotated[Path | None, facts_option()] = None) -> None:
        """Only the signature counts: Typer makes the option from it as for a command's."""

    meta = get_params_from_function(declared)["facts"]
    option, _ = typer.main.get_click_param(meta)
    assert isinstance(option, TyperOption)
    return option


class KbGroup(Group):
    """Runs a command and turns every failure into one line on stderr and its exit code.

    The LAZY commands are built only when named: kb add's five subcommands and kb check's
    text checking would cost every lookup milliseconds. --help and completion still list them.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in READS_FACTS:
            self.commands[name].params.append(_facts_after_the_command())

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        for name, lazy in LAZY.items():
            names.insert(names.index(lazy.after) + 1 if lazy.after else len(names), name)
        return names

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in LAZY:
            return super().get_command(ctx, cmd_name)
        if cmd_name not in self.commands:
            self.commands[cmd_name] = LAZY[cmd_name].build()
        return self.commands[cmd_name]

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        kwargs["standalone_mode"] = False
        given = kwargs.pop("args", args[0] if args else None)
        args = args[1:]
        typed = sys.argv[1:] if given is None else list(given)
        if typed[:1] == ["help"]:
            # `kb help [COMMAND...]`, as git and gh take it: that command's --help.
            typed = [*typed[1:], "--help"]
        kwargs["args"] = completion.shell_given(typed)
        completion.register_shells()
        # Made before parsing, so the fact base's origin is known when it fails to load.
        state = kwargs.setdefault("obj", State())
        with pipes.guarded_streams():
            code = self._run(state, *args, **kwargs)
        sys.exit(code)

    def _run(self, state: State, *args: Any, **kwargs: Any) -> int:
        arguments = kwargs.get("args", args[0] if args else None)
        not_utf8 = _not_utf8(sys.argv[1:] if arguments is None else arguments)
        if not_utf8:
            say(not_utf8)
            return ExitCode.USAGE
        try:
            code = self._outcome(state, *args, **kwargs)
            # Now, not at Python's exit: output lost at the end is known before the exit code.
            pipes.flush_output()
        except pipes.OutputLost as lost:
            say(str(lost))
            code = ExitCode.FACT_BASE
        return code

    def _outcome(self, state: State, *args: Any, **kwargs: Any) -> int:
        try:
            result = super().main(*args, **kwargs)
            code = result if isinstance(result, int) else ExitCode.FOUND
        except FactBaseError as error:
            label = (
                f"{error.file} (from {state.facts_origin})" if state.facts_origin else error.file
            )
            for problem in error.problems[:1]:
                say(problem.as_loader_line(label))
            if error.more_may_follow:
                say(f"more problems may follow; run: kb validate {error.file}")
            elif len(error.problems) > 1:
                say(f"{len(error.problems) - 1} more problem(s); run: kb validate {error.file}")
            code = ExitCode.FACT_BASE
        except typer.TyperException as error:
            context = getattr(error, "ctx", None)
            hint = f" (see '{context.command_path} --help')" if context else ""
            say(f"{error.format_message()}{hint}")
            code = error.exit_code
        except (KeyboardInterrupt, typer.Abort):
            code = ExitCode.INTERRUPTED
        except OSError as error:
            # A file kb could not use where no command expected it (a name too long for the
            # file system, say): named, never a traceback.
            where = f"{error.filename}: " if error.filename else ""
            say(f"{where}{error.strerror or error}")
            code = ExitCode.FACT_BASE
        return code


def _not_utf8(arguments: Sequence[str]) -> str | None:
    """Why the command line cannot be taken, if an argument (or KB_FACTS) is not UTF-8 text:
    Python hands its bytes over as lone surrogates, which no file or output can hold."""
    given = [
        (f"argument {place}", value, f", after {before}" if before.startswith("-") else "")
        for place, (before, value) in enumerate(zip(["", *arguments], arguments, strict=False), 1)
    ]
    given.append(("KB_FACTS", os.environ.get("KB_FACTS", ""), ""))
    for name, value, after in given:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            try:
                shown = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            except UnicodeEncodeError:  # a surrogate no byte stands for, from a caller of main
                shown = value.encode("utf-8", "backslashreplace").decode("utf-8")
            return f"{name} ({shown}{after}) is not UTF-8 text; kb takes its arguments as UTF-8"
    return None


app = typer.Typer(
    cls=KbGroup,
    name="kb",
    help="Who said what, when and where: the September 2023 Nagorno-Karabakh offensive and "
    "ceasefire, from a curated, sourced fact base.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    # kb's own, which install for the shell named: see completion.py.
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _install_completion(value: str | None) -> None:
    if value is None:
        return
    try:
        shell = completion.shell_named(value)
        installed = completion.install(shell)
    except completion.UnknownShell as unknown:
        raise typer.BadParameter(str(unknown), param_hint="'--install-completion'") from None
    except OSError as error:
        say(f"cannot install {value or 'shell'} completion: {error}")
        raise typer.Exit(ExitCode.FACT_BASE) from None
    if installed.sourced_from is None:
        say(f"{shell} completion installed in {installed.script}; fish reads it from there")
    else:
        how = "added to" if installed.added_line else "already in"
        say(
            f"{shell} completion installed in {installed.script}; the line that sources it is "
            f"{how} {installed.sourced_from}"
        )
    say("open a new shell to use it")
    raise typer.Exit()


def _show_completion(value: str | None) -> None:
    if value is None:
        return
    try:
        shell = completion.shell_named(value)
    except completion.UnknownShell as unknown:
        raise typer.BadParameter(str(unknown), param_hint="'--show-completion'") from None
    sys.stdout.write(completion.script(shell))
    raise typer.Exit()


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"kb {__version__}\n")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    facts: Annotated[Path | None, facts_option(envvar="KB_FACTS")] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print kb's version."),
    ] = False,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="Write a long table straight to the terminal (the pager: KB_PAGER, PAGER, less).",
        ),
    ] = False,
    install_completion: Annotated[
        str | None,
        typer.Option(
            "--install-completion",
            metavar="[SHELL]",
            callback=_install_completion,
            is_eager=True,
            expose_value=False,
            help="Install completion for bash, zsh or fish (default: your login shell).",
            show_default=False,
        ),
    ] = None,
    show_completion: Annotated[
        str | None,
        typer.Option(
            "--show-completion",
            metavar="[SHELL]",
            callback=_show_completion,
            is_eager=True,
            expose_value=False,
            help="Print the completion script for bash, zsh or fish, to install it yourself.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Keep the global options; each command reads the fact base when it needs it."""
    ctx.ensure_object(State)
    if no_pager:
        # As KB_PAGER set empty, which the pager is chosen by (render.pager_command).
        os.environ["KB_PAGER"] = ""


for registered in COMMANDS:
    app.command(_name(registered), epilog=registered.epilog, help=registered.help)(
        registered.function
    )


def _add() -> Any:
    from karabakh_cli.cli import add

    return typer.main.get_group(add.add_app)


def _check() -> Any:
    from karabakh_cli.cli import check

    one = typer.Typer()
    one.command(_name(check.check), epilog=check.check.epilog, help=check.check.help)(
        check.check.function
    )
    command = typer.main.get_command(one)
    command.params.append(_facts_after_the_command())
    return command


def _export() -> Any:
    from karabakh_cli.cli import export

    group = typer.main.get_group(export.export_app)
    for subcommand in group.commands.values():
        subcommand.params.append(_facts_after_the_command())
    return group


class _Lazy(NamedTuple):
    after: str | None
    """The command --help lists it after (None: last)."""
    build: Callable[[], Any]
    """Imports its module and builds the command."""


# Commands built only when a command line names them (or --help lists them): their modules
# import what no other command needs, so every other run does without.
LAZY: dict[str, _Lazy] = {
    "check": _Lazy("who-said", _check),
    "export": _Lazy("index", _export),
    "add": _Lazy(None, _add),
}
