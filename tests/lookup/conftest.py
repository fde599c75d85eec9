"""What the lookup tests share: the built-in base, loaded once."""

from __future__ import annotations

from karabakh_cli.base import factbase
from karabakh_cli.lookup import queries
from tests.conftest import FACTS

FACTS_LOADED = queries.LoadedBase(factbase.load(FACTS), FACTS)
