"""kb: who said what, when and where in the 2023 Nagorno-Karabakh offensive and ceasefire."""

__version__ = "0.1.0"
