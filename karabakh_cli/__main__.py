"""python -m karabakh_cli"""

from karabakh_cli.cli import app

app(prog_name="kb")
