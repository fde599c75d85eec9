"""kb: who said what, when and where in the September 2023 Nagorno-Karabakh offensive and ceasefire."""
