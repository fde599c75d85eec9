"""kb index --json writes JSON whatever it finds, as every listing does: a script's jq never
meets an empty stream."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Invoke


def test_a_small_base_has_no_index_and_says_so_in_json(invoke: Invoke) -> None:
    result = invoke("index", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []
    assert "a base under 1 MiB is read whole" in result.stderr


def test_clearing_no_index_is_an_empty_array(invoke: Invoke) -> None:
    result = invoke("index", "--clear", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []


def test_an_index_is_one_object_and_clearing_it_names_the_file(invoke: Invoke, large: Path) -> None:
    built = invoke("--facts", str(large), "index", "--json")
    assert built.exit_code == 0
    [described] = json.loads(built.stdout)
    assert described["quotes"] == 2000
    assert Path(described["index"]).exists()
    cleared = invoke("--facts", str(large), "index", "--clear", "--json")
    assert cleared.exit_code == 0
    assert json.loads(cleared.stdout) == [{"removed": described["index"]}]
    assert not Path(described["index"]).exists()
