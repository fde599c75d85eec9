"""python -m karabakh_cli"""

from karabakh_cli.cli.app import app

app(prog_name="kb")
