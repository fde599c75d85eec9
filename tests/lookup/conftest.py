"""What the lookup tests share: the built-in base, loaded once."""

from __future__ import annotations

from karabakh_cli.base import factbase
from karabakh_cli.lookup import loaded
from tests.conftest import FACTS

FACTS_LOADED = loaded.LoadedBase(factbase.load(FACTS), FACTS)
