"""The kb command line, the entry point: the app (cli_app.py) with its lookup commands
(cli_lookups.py) and its writing commands (cli_writes.py), registered in the order --help
lists them; kb add (cli_add.py) is built only when named (cli_app.KbGroup).

Each command parses, calls the core, and hands the result to render; nothing else lives here.
"""

from karabakh_cli import cli_lookups, cli_writes
from karabakh_cli.cli_app import app

__all__ = ["app", "cli_lookups", "cli_writes"]
