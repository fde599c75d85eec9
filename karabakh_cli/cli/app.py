"""The kb command line, the entry point: the app with its lookup commands and its writing
commands, registered in the order --help lists them; kb add is built only when named."""

from karabakh_cli.cli import lookups, writes
from karabakh_cli.cli.shared import app

__all__ = ["app", "lookups", "writes"]
