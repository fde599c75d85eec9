"""The command line: the Typer app, the options its commands share, the commands, and exit
codes. Each command parses, calls the core, and hands the result to ``output``."""
